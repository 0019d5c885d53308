from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from governance.views import core, health

# Django admin is for superusers only (break-glass); everyday work happens in the role pages.
admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser

api_v1 = [
    path("", include("governance.api.urls")),
    path("", include("grids.api.urls")),
    path("", include("workforce.api.urls")),
]

urlpatterns = [
    path("", core.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("governance.urls_accounts")),
    path("me/", core.resident_home, name="resident_home"),
    path("department/", core.department_home, name="department_home"),
    path("audit/", include("governance.urls_audit")),
    path("notifications/", include("governance.urls_notifications")),
    path("grids/", include("grids.urls")),
    path("workforce/", include("workforce.urls")),
    path("lists/", include("listings.urls")),
    path("admission/", include("listings.admission.urls")),
    path("certificates/", include("listings.certificates.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI, self-hosted (drf-spectacular-sidecar) with its init script served as a file: CSP-clean.
    # (No Redoc: its page loads Google Fonts and needs blob: workers, which our CSP refuses.)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("open311/v2/", include("grids.open311.urls")),
    path("", include("grids.urls_intake")),
    path("django-admin/", admin.site.urls),
]

handler400 = "governance.views.errors.bad_request"
handler403 = "governance.views.errors.permission_denied"
handler404 = "governance.views.errors.page_not_found"
handler500 = "governance.views.errors.server_error"
