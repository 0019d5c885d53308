"""A URL configuration for the template-tag tests: the grid pages plus stand-in import/export URLs."""

from django.http import HttpResponse
from django.urls import include, path


def _stub(request, register):
    return HttpResponse(register)


grid_patterns = ([
    path("imports/<slug:register>/new/", _stub, name="import_create"),
    path("exports/<slug:register>/", _stub, name="register_export"),
], "grids")

urlpatterns = [path("grids/", include(grid_patterns))]
