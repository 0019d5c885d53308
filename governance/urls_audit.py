from django.urls import path

from governance.views import audit

app_name = "audit"
urlpatterns = [
    path("", audit.audit_list_view, name="list"),
    path("export/", audit.audit_export_view, name="export"),
]
