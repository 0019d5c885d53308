"""Human text for the rules' reason codes and the gate's reasons, translated at display time."""

from django.utils.translation import gettext as _

from listings.admission.rules import Code


def reason_text(code: str, item_name: str = "", *, lead=None, required=None, office: str = "") -> str:
    """One sentence per reason code (bilingual, like every message about the user's input)."""
    values = {"item": item_name or "—", "lead": "—" if lead is None else lead, "required": required or "—"}
    texts = {
        Code.NO_COMMUNITIES: _("Choose at least one community. 请至少选择一个社区。"),
        Code.PERIOD_MISSING: _("Give the period: a start and an end date. 请填写起止日期。"),
        Code.PERIOD_ORDER: _("The end date is before the start date. 结束日期早于开始日期。"),
        Code.PERIOD_IN_PAST: _("The period is already over. 任务期限已经结束。"),
        Code.CITED_ITEM_UNKNOWN: _("The list item cited is not on this district's lists. "
                                   "所引用的清单事项不在本区清单中。"),
        Code.CITED_ITEM_NOT_IN_FORCE: _("The list item “%(item)s” is not in force on the start date. "
                                        "所引用的清单事项在开始日期不在有效期内。") % values,
        Code.NEGATIVE_LIST: _("On the negative list: “%(item)s”. Communities must never be made responsible for "
                              "it, so the task is refused. 属于严禁作为责任主体事项，不予准入。") % values,
        Code.FORBIDDEN_CERTIFICATE: _("It asks communities to issue a certificate they must not issue: "
                                      "“%(item)s”. The task is refused. "
                                      "属于社区不得出具的证明事项，不予准入。") % values,
        Code.ASSISTING_ITEM: _("Matches the assisting item “%(item)s”: fast track. "
                               "属于依法协助政府工作事项，快速办理。") % values,
        Code.SELF_GOVERNANCE_ITEM: _("“%(item)s” is the community's own self-governance work: it needs no admission "
                                     "and a department cannot assign it. "
                                     "属于社区依法自治事项，无需准入，部门不得指派。") % values,
        Code.UNLISTED_FULL_REVIEW: _("Not on any list: it goes to the full review, with the funding or purchase of "
                                     "service it carries. 清单外事项，须经完整审核。"),
        Code.UNLISTED_NEEDS_FUNDING: _("Not on any list: give the funding or staff per community, or a "
                                       "purchase-of-service arrangement (费随事转). "
                                       "清单外事项须明确经费、人员或政府购买服务安排。"),
        Code.LATE: _("Applied late: %(lead)s working days before the start, fewer than the %(required)s required. "
                     "申请时间晚于规定的提前期。") % values,
        Code.NEGATIVE_LIST_MENTIONED: _("The title also names “%(item)s” of the negative list: the review group "
                                        "checks that the community is not made its responsible party. "
                                        "标题涉及严禁作为责任主体事项，请审核小组核实。") % values,
        Code.NO_FUNDING_ATTACHED: _("No funding is attached, on the item or in the application (权随责走、费随事转). "
                                    "未明确配套经费。"),
    }
    try:
        return str(texts[Code(code)])
    except (KeyError, ValueError):
        return code


def reason_rows(reasons) -> list[dict]:
    """The stored reasons of an application (list of dicts, see services.applications.reasons_json) for display."""
    rows = []
    for reason in reasons or []:
        rows.append({
            "code": reason.get("code", ""),
            "severity": reason.get("severity", ""),
            "css": reason_severity_class(reason.get("severity", "")),
            "text": reason_text(reason.get("code", ""), reason.get("item_name", ""), lead=reason.get("lead"),
                                required=reason.get("required")),
            "office": reason.get("office", ""),
        })
    return rows


def reason_severity_class(severity: str) -> str:
    return {"block": "badge-danger", "refuse": "badge-danger", "route": "badge-success",
            "flag": "badge-warn"}.get(severity, "badge-muted")
