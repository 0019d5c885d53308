"""Appended to grids/urls.py under the "grids" namespace: the performance dashboard (/grids/metrics/)."""

from django.urls import path

from grids.views import metrics

urlpatterns: list = [
    path("metrics/", metrics.incident_metrics, name="incident_metrics"),
    path("metrics/export/", metrics.incident_metrics_export, name="incident_metrics_export"),
    path("metrics/<str:kind>/<int:pk>/", metrics.incident_metrics_unit, name="incident_metrics_unit"),
]
