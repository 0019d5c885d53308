"""Burden figures (减负) per community and for the street or district, the monthly trend, a before/after
comparison from a chosen date, and the Excel export (audited)."""

import datetime

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from grids.imports.workbook import XLSX_CONTENT_TYPE
from listings.admission.forms import BurdenFilterForm
from listings.admission.permissions import can_read_burden
from listings.admission.selectors import burden as b
from listings.admission.selectors.applications import communities_visible_to
from listings.admission.services.burden_export import burden_export
from listings.admission.views.common import admission_page, paginate

DEFAULT_WINDOW_DAYS = 365
COMMUNITIES_PER_PAGE = 50


def _parameters(request):
    user = request.user
    if not can_read_burden(user):
        raise Http404
    today = timezone.localdate()
    form = BurdenFilterForm(request.GET or None, communities=communities_visible_to(user), today=today)
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    end = data.get("end") or today
    start = data.get("start") or end - datetime.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    return form, valid, today, data.get("community"), start, end, data.get("since")


def _comparison_rows(c: b.Comparison) -> list[dict]:
    lines = [
        (_("Admitted tasks in force"), c.stock_before.tasks, c.stock_after.tasks),
        (_("Report forms (报表)"), c.stock_before.forms, c.stock_after.forms),
        (_("Ledgers (台账)"), c.stock_before.ledgers, c.stock_after.ledgers),
        (_("Inspections and appraisals (检查考核)"), c.stock_before.inspections, c.stock_after.inspections),
        (_("Meetings (会议)"), c.stock_before.meetings, c.stock_after.meetings),
        (_("Signboards (牌子)"), c.stock_before.signboards, c.stock_after.signboards),
        (_("Newly admitted"), c.before.admitted, c.after.admitted),
        (_("Refused by the review group"), c.before.refused_by_review, c.after.refused_by_review),
        (_("Tasks received"), c.before.received, c.after.received),
        (_("of which not admitted"), c.before.not_admitted, c.after.not_admitted),
        (_("Refused by the community"), c.before.refused, c.after.refused),
        (_("Separate inspections, appraisals, rankings"), c.before.extra_checks, c.after.extra_checks),
    ]
    return [{"label": label, "before": before, "after": after, "change": after - before} for label, before, after
            in lines]


@admission_page
@require_GET
def burden(request):
    form, valid, today, community, start, end, since = _parameters(request)
    scope = b.burden_scope(user=request.user, community=community)
    if scope is None:
        raise Http404
    page = paginate(request, scope.communities(), per_page=COMMUNITIES_PER_PAGE)
    rows = b.community_figures(communities=page.object_list, scope=scope, day=today, start=start, end=end)
    trend = b.monthly_trend(scope=scope, today=today)
    peak = max([m.flows.received for m in trend] + [m.stock.ledgers for m in trend] + [1])
    comparison = b.compare(scope=scope, since=since, today=today) if since else None
    return render(request, "listings/admission/burden.html", {
        "form": form, "page": page, "rows": rows, "today": today, "start": start, "end": end, "since": since,
        "community": community, "stock": b.stock_total(scope=scope, day=today),
        "flows": b.flows_total(scope=scope, start=start, end=end), "pending": b.pending_total(scope=scope),
        "trend": trend, "peak": peak, "comparison": comparison,
        "comparison_rows": _comparison_rows(comparison) if comparison else [],
        "export_query": request.GET.urlencode() if valid else "",
    }, status=200 if valid else 400)


@admission_page
@require_GET
def burden_export_view(request):
    form, valid, today, community, start, end, since = _parameters(request)
    if not valid:
        return burden(request)
    result = burden_export(actor=request.user, community=community, start=start, end=end, since=since, today=today)
    response = HttpResponse(result.content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=result.filename)
    add_never_cache_headers(response)
    return response
