"""Open311 GeoReport v2, mounted by governance/urls.py at /open311/v2/:

    path("open311/v2/", include("grids.open311.urls")),
"""

from django.urls import re_path

from grids.open311 import views

app_name = "open311"

FMT = r"\.(?P<format>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.DiscoveryApi.as_view(), name="discovery"),
    re_path(r"^services" + FMT, views.ServiceListApi.as_view(), name="services"),
    re_path(r"^services/(?P<service_code>[^/]+?)" + FMT, views.ServiceDefinitionApi.as_view(), name="service"),
    re_path(r"^requests" + FMT, views.RequestsApi.as_view(), name="requests"),
    re_path(r"^requests/(?P<service_request_id>[^/]+?)" + FMT, views.RequestApi.as_view(), name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, views.TokenApi.as_view(), name="token"),
    # Anything else here (unknown resource, .html/.csv/no suffix): the spec's 404, not the site's HTML page.
    re_path(r"^.*$", views.UnknownResourceApi.as_view(), name="unknown"),
]
