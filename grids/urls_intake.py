"""Intake and tracking URLs, mounted at the site root by governance/urls.py:

    path("", include("grids.urls_intake")),

Public (no account): report/, report/done/, the two report/ fragments, track/, track/<code>/.
Staff (login): intake/patrol/ (grid workers), intake/entry/ and intake/hotline/ (community and street staff)."""

from django.urls import path

from grids.views import hotline, intake, tracking

app_name = "intake"
urlpatterns = [
    path("report/", intake.report, name="report"),
    path("report/done/", intake.report_done, name="report_done"),
    path("report/categories/", intake.category_search, name="category_search"),
    path("report/buildings/", intake.grid_buildings, name="grid_buildings"),
    path("intake/patrol/", intake.patrol_report, name="patrol_report"),
    path("intake/entry/", intake.staff_entry, name="staff_entry"),
    path("intake/hotline/", hotline.hotline_import_view, name="hotline_import"),
    path("track/", tracking.track, name="track"),
    path("track/<str:code>/", tracking.track_detail, name="track_detail"),
]
