"""Excel import/export URLs (included into grids/urls.py under the "grids" namespace)."""

urlpatterns: list = []
