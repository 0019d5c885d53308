"""/api/v1/ routes of the platform core (included under the `api:` namespace by governance/urls.py)."""

from django.urls import path

from governance.api import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("audit-log/", views.AuditLogListApi.as_view(), name="audit-log-list"),
]
