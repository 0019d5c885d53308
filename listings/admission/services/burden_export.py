"""Excel export of the burden figures (减负统计): one sheet per community with a total row, the monthly trend,
and the before/after comparison when a date is chosen. Chinese headers; text cells neutralised against formula
injection (grids.imports.workbook.safe_text); every export writes an `export` audit row (scope, dates, rows)."""

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from governance.lib.exceptions import NotFoundOrForbidden
from governance.lib.request_context import actor_for, current_actor
from governance.models import AuditLog
from governance.services.audit import audit_record
from grids.imports.workbook import safe_text
from grids.models import Region
from listings.admission.selectors import burden as b

_BOLD = Font(bold=True)
COMMUNITY_HEADERS = (
    "街道", "社区", "社区编码", "在办准入事项", "报表", "台账", "检查考核", "会议", "牌子", "配套经费（元/年）",
    "配套人员（人）", "待审核申请", "期间新准入", "审核不予准入", "收到派发任务", "其中未经准入", "社区拒绝",
    "另行检查考核评比",
)
TREND_HEADERS = ("月份", "新准入", "审核不予准入", "收到派发任务", "其中未经准入", "社区拒绝", "另行检查考核评比",
                 "月末在办事项", "月末报表", "月末台账", "月末检查考核", "月末会议", "月末牌子")
COMPARISON_HEADERS = ("指标", "之前", "之后", "变化")


@dataclass(frozen=True)
class ExportResult:
    content: bytes
    filename: str
    rows: int


def _row(ws, values, *, bold=False):
    cells = []
    for value in values:
        cell = WriteOnlyCell(ws, value=safe_text(value) if isinstance(value, str) else value)
        if bold:
            cell.font = _BOLD
        cells.append(cell)
    ws.append(cells)


def _stock_values(s: b.Stock) -> list:
    return [s.tasks, s.forms, s.ledgers, s.inspections, s.meetings, s.signboards, float(s.funding), float(s.staff)]


def _flow_values(f: b.Flows) -> list:
    return [f.admitted, f.refused_by_review, f.received, f.not_admitted, f.refused, f.extra_checks]


def burden_export(*, actor, community: Region | None = None, start: datetime.date, end: datetime.date,
                  since: datetime.date | None = None, today: datetime.date | None = None) -> ExportResult:
    today = today or timezone.localdate()
    scope = b.burden_scope(user=actor, community=community)
    if scope is None:
        raise NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))
    communities = list(scope.communities())
    rows = b.community_figures(communities=communities, scope=scope, day=today, start=start, end=end)
    streets = {r.path: r.name for r in Region.objects.filter(
        path__in={c.path[: Region.steplen * 2] for c in communities})}

    workbook = Workbook(write_only=True)
    ws = workbook.create_sheet(title="各社区负担")
    _row(ws, [f"社区负担统计：在办事项截至{today:%Y-%m-%d}；期间 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}"], bold=True)
    _row(ws, COMMUNITY_HEADERS, bold=True)
    total_stock, total_flows = b.Stock(), b.Flows()
    for r in rows:
        _row(ws, [streets.get(r.community.path[: Region.steplen * 2], ""), r.community.name, r.community.code,
                  *_stock_values(r.stock), r.pending, *_flow_values(r.flows)])
        total_stock.add(r.stock)
        total_flows.add(r.flows)
    _row(ws, ["合计", "", "", *_stock_values(total_stock), b.pending_total(scope=scope),
              *_flow_values(b.flows_total(scope=scope, start=start, end=end))], bold=True)

    trend = workbook.create_sheet(title="月度趋势")
    _row(trend, TREND_HEADERS, bold=True)
    for month in b.monthly_trend(scope=scope, today=today):
        s = month.stock
        _row(trend, [f"{month.start:%Y-%m}", *_flow_values(month.flows), s.tasks, s.forms, s.ledgers, s.inspections,
                     s.meetings, s.signboards])

    if since is not None:
        comparison = b.compare(scope=scope, since=since, today=today)
        sheet = workbook.create_sheet(title="前后对比")
        _row(sheet, [f"以{since:%Y-%m-%d}为界：之前 {comparison.before_start:%Y-%m-%d} 至 "
                     f"{comparison.before_end:%Y-%m-%d}，之后 {comparison.after_start:%Y-%m-%d} 至 "
                     f"{comparison.after_end:%Y-%m-%d}（各{comparison.days}天）"], bold=True)
        _row(sheet, COMPARISON_HEADERS, bold=True)
        for label, before, after in comparison_lines(comparison):
            _row(sheet, [label, before, after, after - before])

    buffer = io.BytesIO()
    workbook.save(buffer)
    actor_record = current_actor()
    audit_record(action=AuditLog.Action.EXPORT, object_type="admission.burden",
                 actor=actor_record if actor_record.user_id == actor.pk else actor_for(actor),
                 detail={"register": "admission_burden", "rows": len(rows),
                         "scope": [c.pk for c in ([community] if community else [])] or list(scope.paths),
                         "start": start.isoformat(), "end": end.isoformat(),
                         "since": since.isoformat() if since else None})
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return ExportResult(content=buffer.getvalue(), filename=f"社区负担统计-{stamp}.xlsx", rows=len(rows))


def comparison_lines(c: b.Comparison) -> list[tuple[str, int, int]]:
    """(label, before, after) for the comparison table and sheet (labels in Chinese, as in the workbook)."""
    return [
        ("在办准入事项", c.stock_before.tasks, c.stock_after.tasks),
        ("报表", c.stock_before.forms, c.stock_after.forms),
        ("台账", c.stock_before.ledgers, c.stock_after.ledgers),
        ("检查考核", c.stock_before.inspections, c.stock_after.inspections),
        ("会议", c.stock_before.meetings, c.stock_after.meetings),
        ("牌子", c.stock_before.signboards, c.stock_after.signboards),
        ("新准入", c.before.admitted, c.after.admitted),
        ("审核不予准入", c.before.refused_by_review, c.after.refused_by_review),
        ("收到派发任务", c.before.received, c.after.received),
        ("其中未经准入", c.before.not_admitted, c.after.not_admitted),
        ("社区拒绝", c.before.refused, c.after.refused),
        ("另行检查考核评比", c.before.extra_checks, c.after.extra_checks),
    ]
