"""The project's URLs with the responsibility-list pages included under "grids" (as grids/urls.py will include
them once the lead adds the two lines): the page tests run with this urlconf until then, and unchanged after."""

from django.urls import include, path

from governance import urls as root
from grids import urls as grids_urls
from grids.urls_categories import urlpatterns as category_urlpatterns

_present = {getattr(p, "name", None) for p in grids_urls.urlpatterns}
_grids = [*grids_urls.urlpatterns, *(p for p in category_urlpatterns if p.name not in _present)]

urlpatterns = [
    path("grids/", include((_grids, "grids"), namespace="grids")) if str(p.pattern) == "grids/" else p
    for p in root.urlpatterns
]

handler400 = root.handler400
handler403 = root.handler403
handler404 = root.handler404
handler500 = root.handler500
