"""The project's URLs with the Open311 server mounted at /open311/v2/ (until governance/urls.py mounts it)."""

from django.urls import include, path

from governance.urls import urlpatterns as project_urlpatterns


def _mounted(patterns) -> bool:
    return any(getattr(p, "namespace", None) == "open311" for p in patterns)


urlpatterns = list(project_urlpatterns)
if not _mounted(urlpatterns):
    urlpatterns.insert(0, path("open311/v2/", include("grids.open311.urls")))
