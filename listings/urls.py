from django.urls import path

from listings.views import catalogue, public

app_name = "listings"
urlpatterns = [
    # Staff: the district's lists, items with their history, changes by district officials, Excel.
    path("", catalogue.catalogue, name="catalogue"),
    path("kinds/new/", catalogue.kind_create, name="kind_create"),
    path("kinds/<int:pk>/edit/", catalogue.kind_edit, name="kind_edit"),
    path("items/new/", catalogue.item_create, name="item_create"),
    path("items/<int:pk>/", catalogue.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", catalogue.item_edit, name="item_edit"),
    path("items/<int:pk>/status/", catalogue.item_status, name="item_status"),
    path("import/", catalogue.item_import, name="import"),
    path("template.xlsx", catalogue.item_template, name="template"),
    path("export/", catalogue.item_export, name="export"),
    # Everybody, no login: the lists in force today for a community or district.
    path("public/", public.public, name="public"),
    path("public/items/<int:pk>/", public.public_item, name="public_item"),
]
