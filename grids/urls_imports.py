"""Excel import/export URLs (appended to grids/urls.py, under the "grids" namespace).

The register slug is one of grids.imports.registers.REGISTERS: residents, households, buildings, housing,
organisations. Export takes the list page's filter query string, plus `unmasked=1` for full ID numbers."""

from django.urls import path

from grids.views import imports

urlpatterns = [
    path("imports/", imports.import_list_view, name="import_list"),
    path("imports/<int:job_id>/", imports.import_detail_view, name="import_detail"),
    path("imports/<slug:register>/new/", imports.import_create_view, name="import_create"),
    path("imports/<slug:register>/template/", imports.import_template_view, name="import_template"),
    path("exports/<slug:register>/", imports.register_export_view, name="register_export"),
]
