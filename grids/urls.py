from django.urls import path

from grids.urls_cases import urlpatterns as case_urlpatterns
from grids.urls_categories import urlpatterns as category_urlpatterns
from grids.urls_imports import urlpatterns as import_urlpatterns
from grids.urls_metrics import urlpatterns as metrics_urlpatterns
from grids.views import regions, registers

app_name = "grids"
urlpatterns = [
    # The grid network.
    path("", regions.tree, name="tree"),
    path("my/", regions.my_grid, name="my_grid"),
    path("regions/<int:pk>/", regions.region_detail, name="region_detail"),
    path("regions/<int:pk>/edit/", regions.region_edit, name="region_edit"),
    path("regions/<int:pk>/new-child/", regions.region_create_child, name="region_create_child"),
    # Residents.
    path("residents/", registers.resident_list_view, name="resident_list"),
    path("residents/new/", registers.resident_create, name="resident_create"),
    path("residents/<int:pk>/", registers.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", registers.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", registers.resident_reveal, name="resident_reveal"),
    # Households.
    path("households/", registers.household_list_view, name="household_list"),
    path("households/new/", registers.household_create, name="household_create"),
    path("households/<int:pk>/", registers.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", registers.household_edit, name="household_edit"),
    # Buildings.
    path("buildings/", registers.building_list_view, name="building_list"),
    path("buildings/new/", registers.building_create, name="building_create"),
    path("buildings/<int:pk>/", registers.building_detail, name="building_detail"),
    path("buildings/<int:pk>/edit/", registers.building_edit, name="building_edit"),
    # Housing units.
    path("housing/", registers.housing_list_view, name="housing_list"),
    path("housing/new/", registers.housing_create, name="housing_create"),
    path("housing/<int:pk>/", registers.housing_detail, name="housing_detail"),
    path("housing/<int:pk>/edit/", registers.housing_edit, name="housing_edit"),
    # Organisations.
    path("organisations/", registers.organisation_list_view, name="organisation_list"),
    path("organisations/new/", registers.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", registers.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", registers.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/reveal/", registers.organisation_reveal, name="organisation_reveal"),
]

urlpatterns += import_urlpatterns
urlpatterns += category_urlpatterns
urlpatterns += case_urlpatterns
urlpatterns += metrics_urlpatterns
