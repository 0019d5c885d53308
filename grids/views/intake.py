"""Intake pages: the resident's public report form (no account), the grid worker's patrol report, staff entry of
walk-ins and phone calls, and the two htmx fragments the forms use (category search, buildings of a grid).

The public form is protected against floods in two layers, both self-hosted:
- per client address (django-ratelimit, key "ip", block=False so the resident gets a friendly page, not an error):
  every POST counts against GONGZHI_INTAKE_POST_RATE (default 20 per 10 minutes), and accepted reports count
  against GONGZHI_INTAKE_RATE (default 5 per 10 minutes) — a resident who mistypes a few times is not locked out;
- a small sum signed into the page (grids.services.challenge), single use.

Every page works without JavaScript: the category search then re-shows the form (values kept, no errors shown),
and the building list follows the chosen grid when the form is shown again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from governance.lib.exceptions import PermissionDeniedError
from grids.forms_intake import (
    PatrolReportForm,
    ResidentReportForm,
    StaffEntryForm,
    building_choices,
    category_groups,
    public_grids,
)
from grids.services.intake import can_enter_cases, can_patrol

DONE_SESSION_KEY = "gongzhi_intake_done"
SEARCH_BUTTON = "_category_search"
DEFAULT_POST_RATE = "20/10m"
DEFAULT_REPORT_RATE = "5/10m"


def post_rate(group, request) -> str:
    return getattr(settings, "GONGZHI_INTAKE_POST_RATE", DEFAULT_POST_RATE)


def report_rate(group, request) -> str:
    return getattr(settings, "GONGZHI_INTAKE_RATE", DEFAULT_REPORT_RATE)


def _reports_exhausted(request, *, increment: bool) -> bool:
    """Accepted reports from this address in the current window: checked before, counted after success."""
    usage = get_usage(request, group="intake:reports", key="ip", rate=report_rate, method=ALL, increment=increment)
    return usage is not None and usage["count"] >= usage["limit"]


def rate_limited_page(request, *, minutes: int = 10):
    return render(request, "grids/intake/rate_limited.html", {"minutes": minutes}, status=429)


def _show_without_validation(form):
    """Re-show what was typed (no-JS category search) without running validation: no errors, no challenge
    check, no photo decoding."""
    form._errors = ErrorDict()
    form.cleaned_data = {}
    return form


def _remember_done(request, incident, *, staff: bool) -> None:
    request.session[DONE_SESSION_KEY] = {"code": incident.tracking_code, "staff": staff, "channel": incident.channel}


def privacy_notice() -> dict:
    """The PIPL art. 17 notice: who processes, how to reach them, how long. Deployments name themselves with
    GONGZHI_OPERATOR_NAME / GONGZHI_OPERATOR_CONTACT / GONGZHI_CONTACT_RETENTION_TEXT."""
    return {
        "operator": getattr(settings, "GONGZHI_OPERATOR_NAME", "")
        or _("The district's grid service and management centre (区网格化服务管理中心)"),
        "contact": getattr(settings, "GONGZHI_OPERATOR_CONTACT", "") or "12345",
        "retention": getattr(settings, "GONGZHI_CONTACT_RETENTION_TEXT", "") or _(
            "The case is kept as a government record. Your name and phone are used only until the case is closed "
            "and rated, and are then kept only as long as the records rules require. "
            "诉求记录按政务档案规定保存；姓名和电话仅用于办理和回访。"),
    }


def _render_form(request, template, form, *, status, **context):
    return render(request, template, {"form": form, "photos_lost": form.photos_were_posted, **privacy_notice(),
                                      **context}, status=status)


# --- the resident's report ---------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="intake:post", key="ip", rate=post_rate, method="POST", block=False)
def report(request):
    template = "grids/intake/report_form.html"
    if request.method == "GET":
        return _render_form(request, template, ResidentReportForm(), status=200)
    if getattr(request, "limited", False) or _reports_exhausted(request, increment=False):
        return rate_limited_page(request)
    form = ResidentReportForm(request.POST, request.FILES)
    if SEARCH_BUTTON in request.POST:
        return _render_form(request, template, _show_without_validation(form), status=200, searched=True)
    if form.is_valid():
        from grids.services.intake import intake_web_report

        try:
            incident = intake_web_report(data=form.service_data(), photos=form.photos)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            _reports_exhausted(request, increment=True)
            _remember_done(request, incident, staff=False)
            return redirect("intake:report_done")
    return _render_form(request, template, form, status=400)


@never_cache
@require_GET
def report_done(request):
    done = request.session.get(DONE_SESSION_KEY)
    if not done:
        return redirect("intake:report")
    code = done["code"]
    return render(request, "grids/intake/report_done.html", {
        "code": code, "staff": done.get("staff", False), "channel": done.get("channel"),
        "track_url": request.build_absolute_uri(reverse("intake:track_detail", args=[code])),
        "track_path": reverse("intake:track_detail", args=[code]),
    })


# --- fragments (htmx) ---------------------------------------------------------------------------------------

@require_GET
def category_search(request):
    """<option>s for the category <select>, narrowed by ?category_q=, keeping ?category= selected."""
    query = (request.GET.get("category_q") or "").strip()[:50]
    all_groups, objects = category_groups()
    chosen = objects.get(request.GET.get("category") or "")
    groups = category_groups(q=query, keep=chosen)[0] if query else all_groups
    return render(request, "grids/intake/_category_options.html", {
        "groups": groups, "selected": str(chosen.pk) if chosen else "", "query": query})


@require_GET
def grid_buildings(request):
    """<option>s for the building <select> of ?grid= (any current grid; buildings are not personal data)."""
    grid_id = request.GET.get("grid") or ""
    grid = public_grids().filter(pk=grid_id).first() if grid_id.isdigit() else None
    return render(request, "grids/intake/_building_options.html", {"choices": building_choices(grid)})


# --- staff: patrol and entry ---------------------------------------------------------------------------------

def require_staff_page(request, predicate) -> None:
    """Anonymous → login (decorator); no jurisdiction at all → 404; the wrong role → 403."""
    from grids.permissions import can_read_registers

    if not can_read_registers(request.user):
        raise Http404
    if not predicate(request.user):
        raise PermissionDenied


def _current_grids_of(user):
    from grids.selectors.regions import grid_choices

    return grid_choices(user=user).filter(valid_to__isnull=True)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def patrol_report(request):
    require_staff_page(request, can_patrol)
    template = "grids/intake/patrol_form.html"
    grids = _current_grids_of(request.user)
    if request.method == "GET":
        initial = {}
        if grids.count() == 1:
            initial["grid"] = grids.first().pk
        return _render_form(request, template, PatrolReportForm(grids=grids, initial=initial), status=200)
    form = PatrolReportForm(request.POST, request.FILES, grids=grids)
    if SEARCH_BUTTON in request.POST:
        return _render_form(request, template, _show_without_validation(form), status=200, searched=True)
    if form.is_valid():
        from grids.services.intake import intake_patrol_report

        try:
            incident = intake_patrol_report(actor=request.user, data=form.service_data(), photos=form.photos)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            _remember_done(request, incident, staff=True)
            messages.success(request, _("Patrol report filed. 巡查上报成功。"))
            return redirect("intake:report_done")
    return _render_form(request, template, form, status=400)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_entry(request):
    require_staff_page(request, can_enter_cases)
    template = "grids/intake/staff_form.html"
    grids = _current_grids_of(request.user)
    if request.method == "GET":
        return _render_form(request, template, StaffEntryForm(grids=grids), status=200)
    form = StaffEntryForm(request.POST, request.FILES, grids=grids)
    if SEARCH_BUTTON in request.POST:
        return _render_form(request, template, _show_without_validation(form), status=200, searched=True)
    if form.is_valid():
        from grids.services.intake import intake_staff_entry

        try:
            incident = intake_staff_entry(actor=request.user, channel=form.cleaned_data["channel"],
                                          data=form.service_data(), photos=form.photos)
        except PermissionDeniedError:
            raise PermissionDenied from None
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            _remember_done(request, incident, staff=True)
            messages.success(request, _("Case entered. 已登记。"))
            return redirect("intake:report_done")
    return _render_form(request, template, form, status=400)
