"""The site's URLs with the intake module mounted at the root, as the lead is asked to do in governance/urls.py
(`path("", include("grids.urls_intake"))`). Once it is mounted there, this adds nothing."""

from django.urls import include, path

from governance import urls as site

handler400 = site.handler400
handler403 = site.handler403
handler404 = site.handler404
handler500 = site.handler500

_mounted = any(getattr(p, "urlconf_name", None) == "grids.urls_intake" for p in site.urlpatterns)
urlpatterns = list(site.urlpatterns) if _mounted else [path("", include("grids.urls_intake")), *site.urlpatterns]
