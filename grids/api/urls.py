"""/api/v1/ routes of the grids app (included under the `api:` namespace by governance/urls.py)."""

from django.urls import path

from grids.api import views

urlpatterns = [
    path("regions/", views.RegionListApi.as_view(), name="region-list"),
    path("regions/tree/", views.RegionTreeApi.as_view(), name="region-tree"),
    path("regions/<int:pk>/", views.RegionDetailApi.as_view(), name="region-detail"),
    path("residents/", views.ResidentListApi.as_view(), name="resident-list"),
    path("residents/<int:pk>/", views.ResidentDetailApi.as_view(), name="resident-detail"),
    path("residents/<int:pk>/reveal/", views.ResidentRevealApi.as_view(), name="resident-reveal"),
    path("households/", views.HouseholdListApi.as_view(), name="household-list"),
    path("households/<int:pk>/", views.HouseholdDetailApi.as_view(), name="household-detail"),
    path("buildings/", views.BuildingListApi.as_view(), name="building-list"),
    path("buildings/<int:pk>/", views.BuildingDetailApi.as_view(), name="building-detail"),
    path("housing-units/", views.HousingUnitListApi.as_view(), name="housing-unit-list"),
    path("housing-units/<int:pk>/", views.HousingUnitDetailApi.as_view(), name="housing-unit-detail"),
    path("organisations/", views.OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<int:pk>/", views.OrganisationDetailApi.as_view(), name="organisation-detail"),
    path("organisations/<int:pk>/reveal/", views.OrganisationRevealApi.as_view(), name="organisation-reveal"),
]
