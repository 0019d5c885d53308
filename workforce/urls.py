from django.urls import path

from workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.worker_list_view, name="worker_list"),
    path("new/", views.worker_create_view, name="worker_create"),
    path("<int:pk>/", views.worker_detail, name="worker_detail"),
    path("<int:pk>/edit/", views.worker_edit_view, name="worker_edit"),
    path("<int:pk>/reveal/", views.worker_reveal, name="worker_reveal"),
    path("<int:pk>/grids/", views.worker_assign, name="worker_assign"),
    path("<int:pk>/grids/<int:assignment_pk>/end/", views.worker_assignment_end, name="worker_assignment_end"),
]
