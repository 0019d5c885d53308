"""A URL configuration for the template-tag tests: a "grids" namespace without the import/export URLs."""

from django.http import HttpResponse
from django.urls import include, path

grid_patterns = ([path("", lambda request: HttpResponse(""), name="tree")], "grids")

urlpatterns = [path("grids/", include(grid_patterns))]
