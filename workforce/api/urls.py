"""/api/v1/ routes of the workforce app (included under the `api:` namespace by governance/urls.py)."""

from django.urls import path

from workforce.api import views

urlpatterns = [
    path("workers/", views.WorkerListApi.as_view(), name="worker-list"),
    path("workers/<int:pk>/", views.WorkerDetailApi.as_view(), name="worker-detail"),
    path("workers/<int:pk>/reveal/", views.WorkerRevealApi.as_view(), name="worker-reveal"),
]
