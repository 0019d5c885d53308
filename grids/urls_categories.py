"""The responsibility-list (责任清单) URLs, appended to grids/urls.py under the "grids" namespace:

    from grids.urls_categories import urlpatterns as category_urlpatterns
    urlpatterns += category_urlpatterns

`tree` is "event" (事件) or "component" (部件)."""

from django.urls import path

from grids.views import categories

urlpatterns = [
    path("categories/", categories.category_tree, name="category_tree"),
    path("categories/new/", categories.category_create_view, name="category_create"),
    path("categories/<int:pk>/edit/", categories.category_edit_view, name="category_edit"),
    path("categories/import/", categories.category_import_view, name="category_import"),
    path("categories/export/<slug:tree>/", categories.category_export_view, name="category_export"),
]
