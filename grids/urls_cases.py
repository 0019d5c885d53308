"""Appended to grids/urls.py under the "grids" namespace: the staff queues and the case page (grids.views.cases)."""

from django.urls import path

from grids.views import cases

urlpatterns: list = [
    path("cases/mine/", cases.my_cases, name="my_cases"),
    path("cases/", cases.unit_cases, name="unit_cases"),
    path("cases/<int:pk>/", cases.incident_detail, name="incident_detail"),
    path("cases/<int:pk>/act/<slug:action>/", cases.incident_action, name="incident_action"),
    path("cases/<int:pk>/reveal/", cases.incident_reveal, name="incident_reveal"),
    path("cases/<int:pk>/photos/<int:photo_id>/", cases.incident_photo, name="incident_photo"),
]
