"""Appended to grids/urls.py under the "grids" namespace."""

urlpatterns: list = []
