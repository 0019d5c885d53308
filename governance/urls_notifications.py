"""The in-app notification centre. Included by governance/urls.py at "notifications/"."""

from django.urls import path

from governance.views import notifications

app_name = "notifications"
urlpatterns = [
    path("", notifications.notification_list_view, name="list"),
    path("<int:pk>/read/", notifications.notification_read_view, name="read"),
    path("read-all/", notifications.notification_read_all_view, name="read_all"),
]
