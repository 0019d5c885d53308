"""The case lifecycle (网格事件 / 接诉即办): report, register, sign for, handle, answer, verify, close, rate.

Every function is keyword-only, one transaction, takes an injectable `now`, locks the case row
(select_for_update), re-checks the actor with grids.incident_permissions, writes an IncidentEvent per change and
enqueues work only on commit. Errors: ValidationError (per field) for bad input, InvalidTransition for a wrong
status or a closed time window, PermissionDeniedError for a wrong actor, NotFoundOrForbidden for a missing case.

`_transition` is the one place that checks Incident.TRANSITIONS; `incident_transition` is its public wrapper.

Decisions recorded here (see also docs/incident-loop-contracts.md):
- A passed verification (核查) closes the case in the same call: ANSWERED → VERIFIED → CLOSED, two events. The
  verifier's finding is the closing condition, and a separate close step would leave a state with no deadline.
  `incident_close` still closes a case left in VERIFIED (community or street staff).
- The person who answered may not verify their own answer (community staff or another grid worker may).
- first_contact_at is set by the first contact that reached the requester; unreached attempts are logged only.
- Emergency cases run on the clock even when the working calendar is on.
- Time windows (rating, reopening) that have closed raise InvalidTransition, like a wrong status.
"""

import datetime
import logging
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden
from governance.lib.pii import normalize_phone, validate_phone
from governance.lib.transitions import ensure_transition
from governance.models import Role
from governance.services.notifications import notify
from grids.incident_permissions import (
    ACTIVE_STATES,
    EXTENSION_DECIDER,
    Facts,
    check,
    my_assignments,
)
from grids.models import (
    Assignment,
    Building,
    Category,
    ContactLog,
    ExtensionRequest,
    HandlingLevel,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    Region,
    RegionLevel,
)
from grids.services.photos import photos_attach, photos_discard
from grids.services.routing import community_of, district_officials, street_of, unit_accounts, unit_key
from grids.sla import Limits, WorkingCalendar, deadline_after, limits_for

logger = logging.getLogger(__name__)

S = Incident.Status
GRID_LEVELS = (RegionLevel.GRID, RegionLevel.MICRO_GRID)
# Tracking codes avoid characters that read alike (0/O, 1/I).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_RANDOM_LENGTH = 6
MAX_LENGTHS = {"title": 100, "description": 4000, "address": 200, "reporter_name": 64, "external_id": 64,
               "hotline_order_no": 40}


# --- helpers --------------------------------------------------------------------------------------------------
def working_calendar() -> WorkingCalendar | None:
    """The working calendar when GONGZHI_WORKING_CALENDAR is on, else None (limits run on the clock)."""
    if not settings.GONGZHI_WORKING_CALENDAR:
        return None
    return WorkingCalendar(start=datetime.time.fromisoformat(settings.GONGZHI_WORKDAY_START),
                           end=datetime.time.fromisoformat(settings.GONGZHI_WORKDAY_END), tz=settings.TIME_ZONE)


def case_limits(incident: Incident) -> Limits:
    category = incident.category
    return limits_for(sign_for_hours=category.sign_for_hours, handle_hours=category.handle_hours,
                      urgent_handle_hours=category.urgent_handle_hours,
                      emergency_handle_hours=category.emergency_handle_hours, urgency=incident.urgency,
                      emergency_cap_hours=settings.GONGZHI_EMERGENCY_HOURS)


def case_deadline(incident: Incident, start: datetime.datetime, hours: float) -> datetime.datetime:
    """When a limit of `hours` starting at `start` runs out for this case (working calendar unless emergency)."""
    calendar = None if incident.urgency == Incident.Urgency.EMERGENCY else working_calendar()
    return deadline_after(start, hours, calendar=calendar)


def case_url(incident: Incident) -> str:
    try:
        return reverse("grids:incident_detail", args=[incident.pk])
    except NoReverseMatch:
        return ""


def _lock(incident_id) -> Incident:
    try:
        return (Incident.objects.select_for_update(of=("self",)).select_related("grid", "category")
                .get(pk=incident_id))
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Case not found. 案件不存在。")) from None


def _event(incident: Incident, *, kind: str, actor=None, note: str = "", public: bool = False,
           from_status: str = "", to_status: str = "") -> IncidentEvent:
    return IncidentEvent.objects.create(incident=incident, kind=kind, actor=actor, note=note[:4000], public=public,
                                        from_status=from_status, to_status=to_status)


def _transition(incident: Incident, *, to: str, actor=None, note: str = "", public: bool = True,
                kind: str = "transition", updates: dict | None = None) -> Incident:
    """Move a locked case to `to`: check the table, write the event, save status and `updates` together.
    A case already in `to` is left as it is (a repeated call is harmless)."""
    if incident.status == to:
        return incident
    ensure_transition(table=Incident.TRANSITIONS, current=incident.status, target=to)
    _event(incident, kind=kind, actor=actor, note=note, public=public, from_status=incident.status, to_status=to)
    incident.status = to
    updates = updates or {}
    for name, value in updates.items():
        setattr(incident, name, value)
    incident.save(update_fields=["status", "updated_at", *updates])
    return incident


def _required_text(value, *, field: str, message: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters. 不超过%(n)d字。") % {"n": max_length}})
    return text


def _optional_text(value, *, field: str, max_length: int) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError({field: _("At most %(n)d characters. 不超过%(n)d字。") % {"n": max_length}})
    return text


def _enqueue_dispatch(incident_id: int) -> None:
    from grids import tasks

    try:
        tasks.incident_dispatch_task.delay(incident_id)
    except Exception:  # eager mode runs the task here: the report stands, and the sweep dispatches it later
        logger.exception("dispatch of incident %s failed; incident_dispatch_pending will retry", incident_id)


def _withdraw_assignments(incident: Incident) -> None:
    Assignment.objects.filter(incident=incident, state__in=ACTIVE_STATES).update(state=Assignment.State.WITHDRAWN)


def _is_active_leaf(category: Category) -> bool:
    if not category.is_active:
        return False
    if Category.objects.filter(path__startswith=category.path, is_active=True).exclude(pk=category.pk).exists():
        return False  # has active children: choose a more precise item
    ancestors = [category.path[:n] for n in range(Category.steplen, len(category.path), Category.steplen)]
    return not Category.objects.filter(path__in=ancestors, is_active=False).exists()


def _new_tracking_code(now: datetime.datetime) -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_LENGTH))
    return f"GZ{timezone.localtime(now):%y%m%d}{suffix}"


def _coordinate(value, *, limit: int):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or not -limit <= number <= limit:
            return False
        return number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return False


# --- report and register ------------------------------------------------------------------------------------
@transaction.atomic
def incident_report(*, channel, request_type, category, title, description, grid, building=None, address="",
                    latitude=None, longitude=None, reporter_name="", reporter_phone="", anonymous=False,
                    urgency="normal", reported_by=None, hotline_order_no=None, external_id="",
                    now=None) -> Incident:
    """Create a case (REPORTED), register it at once (REGISTERED, deadlines from the category) and dispatch it
    after commit. A 12345 order number already imported returns the existing case unchanged."""
    now = now or timezone.now()
    order_no = (hotline_order_no or "").strip() or None
    if order_no:
        existing = Incident.objects.filter(hotline_order_no=order_no).first()
        if existing is not None:
            return existing

    errors: dict[str, str] = {}
    if channel not in Incident.Channel.values:
        errors["channel"] = _("Unknown channel. 来源渠道无效。")
    if request_type not in Incident.RequestType.values:
        errors["request_type"] = _("Choose a request type. 请选择诉求类型。")
    if urgency not in Incident.Urgency.values:
        errors["urgency"] = _("Unknown urgency. 紧急程度无效。")
    if isinstance(category, int):
        category = Category.objects.filter(pk=category).first()
    if not isinstance(category, Category):
        errors["category"] = _("Choose a category. 请选择问题类别。")
    elif not _is_active_leaf(category):
        errors["category"] = _("Choose an active item at the most detailed level. 请选择有效的最细一级类别。")
    if isinstance(grid, int):
        grid = Region.objects.filter(pk=grid).first()
    if not isinstance(grid, Region) or grid.level not in GRID_LEVELS:
        errors["grid"] = _("Choose the grid where the problem is. 请选择问题所在网格。")
    elif grid.valid_to is not None:
        errors["grid"] = _("This grid version has ended; choose the current grid. 该网格版本已停用。")
    if building is not None and "grid" not in errors:
        if not isinstance(building, Building) or building.community_id != community_of(grid).pk:
            errors["building"] = _("The building is not in this grid's community. 楼栋不在该网格所属社区。")
    texts = {}
    for name, value, message in (
        ("title", title, _("Give the case a short title. 请填写标题。")),
        ("description", description, _("Describe the problem. 请描述问题。")),
    ):
        try:
            texts[name] = _required_text(value, field=name, message=message, max_length=MAX_LENGTHS[name])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    for name, value in (("address", address), ("reporter_name", reporter_name), ("external_id", external_id),
                        ("hotline_order_no", order_no)):
        try:
            texts[name] = _optional_text(value, field=name, max_length=MAX_LENGTHS[name])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    phone = normalize_phone(reporter_phone)
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["reporter_phone"] = exc.messages[0]
    lat, lng = _coordinate(latitude, limit=90), _coordinate(longitude, limit=180)
    if lat is False or lng is False or (lat is None) != (lng is None):
        errors["latitude"] = _("Give both latitude and longitude, as numbers. 请同时填写有效的经纬度。")
    if errors:
        raise ValidationError(errors)

    incident = Incident(
        channel=channel, request_type=request_type, category=category, urgency=urgency, title=texts["title"],
        description=texts["description"], grid=grid, building=building, address=texts["address"], latitude=lat,
        longitude=lng, reporter_name=texts["reporter_name"], reporter_phone=phone, anonymous=bool(anonymous),
        reported_by=reported_by, hotline_order_no=order_no, external_id=texts["external_id"],
        status=S.REPORTED, handling_level=category.handling_level,
    )
    incident.tracking_code = _new_tracking_code(now)
    incident.full_clean(validate_unique=False)
    for _attempt in range(20):
        if Incident.objects.filter(tracking_code=incident.tracking_code).exists():
            incident.tracking_code = _new_tracking_code(now)
            continue
        try:
            with transaction.atomic():
                incident.save(force_insert=True)
            break
        except IntegrityError:
            if order_no:  # imported concurrently by another run: that one wins
                existing = Incident.objects.filter(hotline_order_no=order_no).first()
                if existing is not None:
                    return existing
            incident.pk = None
            incident.tracking_code = _new_tracking_code(now)
    else:
        raise RuntimeError("no free tracking code after 20 attempts")

    _event(incident, kind="transition", actor=reported_by, public=True, to_status=S.REPORTED)
    _register(incident, actor=None, now=now)
    transaction.on_commit(lambda pk=incident.pk: _enqueue_dispatch(pk))
    return incident


def _register(incident: Incident, *, actor, now, note: str = "") -> Incident:
    limits = case_limits(incident)
    return _transition(incident, to=S.REGISTERED, actor=actor, note=note, updates={
        "registered_at": now,
        "sign_for_by": case_deadline(incident, now, limits.sign_for_hours),
        "handle_by": case_deadline(incident, now, limits.handle_hours),
        "handling_level": incident.category.handling_level,
    })


@transaction.atomic
def incident_register(*, incident_id, actor=None, note: str = "", now=None) -> Incident:
    """Register (立案) a case still in REPORTED. Staff: community or street staff within jurisdiction; actor=None
    is the platform itself (incident_report registers through the same code)."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    if actor is not None:
        check(actor, "register", incident)
    _register(incident, actor=actor, now=now, note=_optional_text(note, field="note", max_length=2000))
    transaction.on_commit(lambda pk=incident.pk: _enqueue_dispatch(pk))
    return incident


@transaction.atomic
def incident_transition(*, incident_id, to, actor=None, note: str = "", public: bool = True, now=None,
                        kind: str = "transition") -> Incident:
    """Move a case to `to` if Incident.TRANSITIONS allows it, with an event row; a no-op when already there.
    Low level: no permission or field rules (the action services below add those)."""
    incident = _lock(incident_id)
    return _transition(incident, to=to, actor=actor, note=note, public=public, kind=kind)


# --- triage: reject and merge -----------------------------------------------------------------------------------
@transaction.atomic
def incident_reject(*, actor, incident_id, reason, now=None) -> Incident:
    """不予受理: community or street staff within jurisdiction, before a unit signed for the case; reason required."""
    incident = _lock(incident_id)
    check(actor, "reject", incident)
    reason = _required_text(reason, field="reason", max_length=2000,
                            message=_("Say why the case is not accepted. 请填写不予受理的理由。"))
    _withdraw_assignments(incident)
    return _transition(incident, to=S.REJECTED, actor=actor, note=reason, public=True)


@transaction.atomic
def incident_merge(*, actor, incident_id, duplicate_of, note: str = "", now=None) -> Incident:
    """Merge a duplicate into another open or finished case of the same community (both rows stay; linked)."""
    try:
        incident_id, target_id = int(incident_id), int(getattr(duplicate_of, "pk", duplicate_of))
    except (TypeError, ValueError):
        raise ValidationError({"duplicate_of": _("Choose the case this one duplicates. 请选择重复的原案件。")}) from None
    if target_id == incident_id:
        raise ValidationError({"duplicate_of": _("A case cannot be a duplicate of itself. 不能与自身合并。")})
    locked = {i.pk: i for i in Incident.objects.select_for_update(of=("self",)).select_related("grid")
              .filter(pk__in=[incident_id, target_id]).order_by("pk")}
    incident = locked.get(incident_id)
    if incident is None:
        raise NotFoundOrForbidden(_("Case not found. 案件不存在。"))
    check(actor, "merge", incident)
    target = locked.get(target_id)
    if (target is None or target.status not in (*Incident.OPEN, *Incident.FINISHED)
            or target.grid.path[: Region.steplen * 3] != incident.grid.path[: Region.steplen * 3]):
        raise ValidationError({"duplicate_of": _(
            "Choose an open or finished case of the same community. 请选择同一社区内未办结或已办结的案件。")})
    note = _optional_text(note, field="note", max_length=2000)
    _withdraw_assignments(incident)
    _transition(incident, to=S.MERGED, actor=actor, public=True,
                note=" ".join(filter(None, [_("Merged into %(code)s. 已合并至%(code)s。") % {"code": target.tracking_code},
                                            note])),
                updates={"duplicate_of": target})
    _event(target, kind="duplicate_linked", actor=actor, public=False, note=incident.tracking_code)
    return incident


# --- the unit: sign for, return, start, contact, answer ---------------------------------------------------------
@transaction.atomic
def incident_sign_for(*, actor, incident_id, now=None) -> Incident:
    """签收: the lead unit signs for a dispatched case (→ SIGNED); a co-handler unit signs for its part (the case
    status does not change). The signer becomes the assignment's person in charge when none was named."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    facts = Facts(incident)
    if incident.status == S.SIGNED and my_assignments(actor, facts, role=Assignment.Role.LEAD,
                                                       states=(Assignment.State.SIGNED,)):
        return incident  # a repeated click
    check(actor, "sign_for", incident, facts=facts)
    pending = my_assignments(actor, facts, states=(Assignment.State.PENDING,))
    lead = next((a for a in pending if a.role == Assignment.Role.LEAD), None)
    chosen = lead if lead is not None and incident.status == S.DISPATCHED else next(
        a for a in pending if a.role == Assignment.Role.CO)
    chosen.state, chosen.signed_at = Assignment.State.SIGNED, now
    chosen.assignee_id = chosen.assignee_id or actor.pk
    chosen.save(update_fields=["state", "signed_at", "assignee"])
    if chosen.role == Assignment.Role.LEAD:
        return _transition(incident, to=S.SIGNED, actor=actor, updates={"signed_at": now})
    _event(incident, kind="co_signed", actor=actor, note=str(chosen.department or chosen.region))
    return incident


@transaction.atomic
def incident_return(*, actor, incident_id, reason, now=None) -> Incident:
    """退单: the lead unit returns a wrong dispatch with a reason; the case is re-dispatched (one level up or to the
    street centre, never back to this unit) after commit."""
    incident = _lock(incident_id)
    facts = Facts(incident)
    check(actor, "return", incident, facts=facts)
    reason = _required_text(reason, field="reason", max_length=1000,
                            message=_("A reason is required to return a case. 退单须填写理由。"))
    lead = my_assignments(actor, facts, role=Assignment.Role.LEAD)[0]
    lead.state, lead.return_reason = Assignment.State.RETURNED, reason
    lead.save(update_fields=["state", "return_reason"])
    _transition(incident, to=S.RETURNED, actor=actor, note=reason, public=False)
    transaction.on_commit(lambda pk=incident.pk: _enqueue_dispatch(pk))
    return incident


@transaction.atomic
def incident_start(*, actor, incident_id, note: str = "", now=None) -> Incident:
    incident = _lock(incident_id)
    check(actor, "start", incident)
    return _transition(incident, to=S.IN_HAND, actor=actor, note=_optional_text(note, field="note", max_length=2000))


@transaction.atomic
def incident_contact(*, actor, incident_id, method, reached: bool = True, note: str = "", now=None) -> ContactLog:
    """Log a contact with the requester (who, when, how). The first one that reached them sets first_contact_at
    (response rate). The event is internal (not on the public page)."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    check(actor, "contact", incident)
    if method not in ContactLog.Method.values:
        raise ValidationError({"method": _("Choose how you contacted the requester. 请选择联系方式。")})
    note = _optional_text(note, field="note", max_length=2000)
    log = ContactLog.objects.create(incident=incident, by=actor, method=method, reached=bool(reached), note=note,
                                    contacted_at=now)
    if reached and incident.first_contact_at is None:
        incident.first_contact_at = now
        incident.save(update_fields=["first_contact_at", "updated_at"])
    _event(incident, kind="contact", actor=actor, public=False,
           note=f"{ContactLog.Method(method).label}: {_('reached 已联系上') if reached else _('not reached 未联系上')}"
                + (f" — {note}" if note else ""))
    return log


def incident_answer(*, actor, incident_id, answer, photos=(), now=None) -> Incident:
    """The lead unit's answer to the resident (办理结果), with optional photos after handling (already cleaned by
    grids.services.photos.photos_clean); verification is due within GONGZHI_VERIFY_HOURS. A stored photo's file is
    removed again when the transaction fails."""
    stored: list = []
    try:
        return _answer(actor=actor, incident_id=incident_id, answer=answer, photos=photos, now=now, stored=stored)
    except Exception:
        photos_discard(stored)
        raise


@transaction.atomic
def _answer(*, actor, incident_id, answer, photos, now, stored) -> Incident:
    now = now or timezone.now()
    incident = _lock(incident_id)
    check(actor, "answer", incident)
    answer = _required_text(answer, field="answer", max_length=4000,
                            message=_("Write the result for the resident. 请填写办理结果。"))
    incident = _transition(incident, to=S.ANSWERED, actor=actor, updates={
        "answer": answer, "answered_at": now,
        "verify_by": now + datetime.timedelta(hours=settings.GONGZHI_VERIFY_HOURS)})
    photos_attach(incident=incident, photos=photos or [], kind=IncidentPhoto.Kind.AFTER, uploaded_by=actor,
                  stored=stored)
    return incident


# --- verify, close, rate, reopen --------------------------------------------------------------------------------
def _close(incident: Incident, *, actor, now, note: str = "") -> Incident:
    Assignment.objects.filter(incident=incident, state__in=ACTIVE_STATES).update(state=Assignment.State.DONE)
    return _transition(incident, to=S.CLOSED, actor=actor, note=note, updates={
        "closed_at": now, "rate_by": now + datetime.timedelta(days=settings.GONGZHI_RATING_WINDOW_DAYS)})


@transaction.atomic
def incident_verify(*, actor, incident_id, passed: bool, note: str = "", now=None) -> Incident:
    """核查 by a grid worker of the case's grid or community staff (not the person who answered).
    Passed: VERIFIED and CLOSED in this call. Failed: back to IN_HAND (返工), rework_count + 1, note required."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    check(actor, "verify", incident)
    if passed:
        note = _optional_text(note, field="note", max_length=2000)
        _transition(incident, to=S.VERIFIED, actor=actor, note=note)
        return _close(incident, actor=actor, now=now)
    note = _required_text(note, field="note", max_length=2000,
                          message=_("Say what must be redone. 请说明需返工的内容。"))
    return _transition(incident, to=S.IN_HAND, actor=actor, note=note, public=False, kind="rework",
                       updates={"rework_count": incident.rework_count + 1, "verify_by": None})


@transaction.atomic
def incident_close(*, actor, incident_id, note: str = "", now=None) -> Incident:
    """结案 of a verified case by community or street staff (incident_verify already closes on a pass)."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    check(actor, "close", incident)
    return _close(incident, actor=actor, now=now, note=_optional_text(note, field="note", max_length=2000))


RESOLUTIONS = ("resolved", "partly", "unresolved")
SATISFACTIONS = ("satisfied", "basically", "dissatisfied")


@transaction.atomic
def incident_rate(*, incident_id, resolution, satisfaction, comment: str = "", now=None) -> Incident:
    """回访/评价 by the resident (public, no account): only a CLOSED case, until rate_by."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    if incident.status != S.CLOSED:
        raise InvalidTransition(_("Only a closed case can be rated. 只有已办结的案件可以评价。"),
                                extra={"current": incident.status, "target": S.RATED})
    if incident.rate_by is not None and now > incident.rate_by:
        raise InvalidTransition(_("The rating period for this case has ended. 评价期限已过。"),
                                extra={"current": incident.status, "target": S.RATED})
    errors = {}
    if resolution not in RESOLUTIONS:
        errors["resolution"] = _("Say whether the problem was resolved. 请选择是否解决。")
    if satisfaction not in SATISFACTIONS:
        errors["satisfaction"] = _("Choose how satisfied you are. 请选择满意程度。")
    if errors:
        raise ValidationError(errors)
    comment = _optional_text(comment, field="comment", max_length=1000)
    return _transition(incident, to=S.RATED, actor=None, note=f"{resolution}/{satisfaction}", updates={
        "resolution": resolution, "satisfaction": satisfaction, "rating_comment": comment, "rated_at": now})


@transaction.atomic
def incident_reopen(*, incident_id, reason: str = "", actor=None, now=None) -> Incident:
    """The resident reopens a case rated "not resolved" within GONGZHI_REOPEN_WINDOW_DAYS of closing: REOPENED,
    fresh deadlines, reopen_count + 1, and dispatched again (one level up) after commit."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    extra = {"current": incident.status, "target": S.REOPENED}
    if incident.status != S.RATED or incident.resolution != "unresolved":
        raise InvalidTransition(_("Only a case rated “not resolved” can be reopened. 只有评价为未解决的案件可以重新办理。"),
                                extra=extra)
    if incident.closed_at is None or now > incident.closed_at + datetime.timedelta(
            days=settings.GONGZHI_REOPEN_WINDOW_DAYS):
        raise InvalidTransition(_("The period for reopening this case has ended. 已超过重新办理的期限。"), extra=extra)
    reason = _optional_text(reason, field="reason", max_length=2000)
    limits = case_limits(incident)
    _transition(incident, to=S.REOPENED, actor=actor, note=reason, updates={
        "reopen_count": incident.reopen_count + 1,
        "sign_for_by": case_deadline(incident, now, limits.sign_for_hours),
        "handle_by": case_deadline(incident, now, limits.handle_hours),
        "verify_by": None,
    })
    transaction.on_commit(lambda pk=incident.pk: _enqueue_dispatch(pk))
    return incident


# --- extensions (延期) --------------------------------------------------------------------------------------------
def _extension_deciders(incident: Incident, level: str) -> list:
    role = EXTENSION_DECIDER.get(level)
    if role == Role.COMMUNITY_STAFF:
        return unit_accounts(level=HandlingLevel.COMMUNITY, region=community_of(incident.grid))
    if role == Role.STREET_STAFF:
        return unit_accounts(level=HandlingLevel.STREET, region=street_of(incident.grid))
    return district_officials(incident.grid)


@transaction.atomic
def extension_request(*, actor, incident_id, new_handle_by, reason, now=None) -> ExtensionRequest:
    """The lead unit asks for a later handling deadline (SIGNED or IN_HAND; one pending request at a time)."""
    now = now or timezone.now()
    incident = _lock(incident_id)
    facts = Facts(incident)
    if (facts.pending_extension is not None and incident.status in (S.SIGNED, S.IN_HAND)
            and my_assignments(actor, facts, role=Assignment.Role.LEAD, states=(Assignment.State.SIGNED,))):
        raise ValidationError({"__all__": _("An extension request is already awaiting a decision. 已有待审批的延期申请。")})
    check(actor, "extension_request", incident, facts=facts)
    reason = _required_text(reason, field="reason", max_length=2000,
                            message=_("Say why more time is needed. 请填写延期理由。"))
    floor = max(filter(None, [incident.handle_by, now]))
    if not isinstance(new_handle_by, datetime.datetime) or timezone.is_naive(new_handle_by) or new_handle_by <= floor:
        raise ValidationError({"new_handle_by": _(
            "The new deadline must be later than the current one. 新期限须晚于当前办理期限。")})
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(incident=incident, requested_by=actor,
                                                        new_handle_by=new_handle_by, reason=reason)
    except IntegrityError:
        raise ValidationError({"__all__": _(
            "An extension request is already awaiting a decision. 已有待审批的延期申请。")}) from None
    _event(incident, kind="extension_requested", actor=actor, public=False,
           note=f"{timezone.localtime(new_handle_by):%Y-%m-%d %H:%M} {reason}")
    lead = facts.active_lead
    notify(recipients=_extension_deciders(incident, lead.level), kind="incident_extension_requested",
           title=_("Extension requested: %(code)s 延期申请待审批") % {"code": incident.tracking_code},
           body=incident.title, url=case_url(incident), obj=incident, dedupe_key=f"extension:{extension.pk}")
    return extension


@transaction.atomic
def extension_decide(*, actor, extension_id, approved: bool, note: str = "", now=None) -> ExtensionRequest:
    """One level up decides (grid lead → community staff; community → street; street or department → district).
    Approved: handle_by moves to the requested deadline, extension_count + 1. An event either way; a refusal
    needs a note."""
    now = now or timezone.now()
    incident_id = ExtensionRequest.objects.filter(pk=extension_id).values_list("incident_id", flat=True).first()
    if incident_id is None:
        raise NotFoundOrForbidden(_("Extension request not found. 延期申请不存在。"))
    incident = _lock(incident_id)  # the case first, then the request: the same order as extension_request
    extension = ExtensionRequest.objects.select_for_update().get(pk=extension_id)
    if extension.state != ExtensionRequest.State.PENDING:
        raise InvalidTransition(_("This extension request has already been decided. 该延期申请已审批。"),
                                extra={"current": extension.state})
    facts = Facts(incident)
    check(actor, "extension_decide", incident, facts=facts)  # one level up from the lead unit (can_decide_extension)
    if approved:
        note = _optional_text(note, field="note", max_length=2000)
    else:
        note = _required_text(note, field="note", max_length=2000,
                              message=_("Say why the extension is refused. 请填写不予延期的理由。"))
    extension.state = ExtensionRequest.State.APPROVED if approved else ExtensionRequest.State.REFUSED
    extension.decided_by, extension.decided_at = actor, now
    extension.save(update_fields=["state", "decided_by", "decided_at"])
    if approved:
        incident.handle_by = extension.new_handle_by
        incident.extension_count += 1
        incident.save(update_fields=["handle_by", "extension_count", "updated_at"])
        _event(incident, kind="extension_approved", actor=actor, public=True,
               note=f"{timezone.localtime(extension.new_handle_by):%Y-%m-%d %H:%M} {note}".strip())
    else:
        _event(incident, kind="extension_refused", actor=actor, public=False, note=note)
    notify(recipients=[extension.requested_by], kind="incident_extension_decided",
           title=(_("Extension approved: %(code)s 延期已批准") if approved else
                  _("Extension refused: %(code)s 延期未批准")) % {"code": incident.tracking_code},
           body=note, url=case_url(incident), obj=incident, dedupe_key=f"extension_decided:{extension.pk}")
    return extension


# --- co-handlers (首接负责制: the lead stays, others help) ---------------------------------------------------------
def _unit_level(region: Region | None, department) -> str:
    if department is not None:
        return HandlingLevel.DEPARTMENT
    if region.level in GRID_LEVELS:
        return HandlingLevel.GRID
    return region.level


def add_co_handler(incident: Incident, *, actor, region=None, department=None, note: str = "") -> Assignment:
    """Give a unit a co-handler assignment on a locked case; the unit already on the case (lead or co) is
    returned unchanged."""
    key = unit_key(region=region, department=department)
    existing = Assignment.objects.filter(incident=incident, state__in=ACTIVE_STATES)
    for assignment in existing:
        if unit_key(region_id=assignment.region_id, department_id=assignment.department_id) == key:
            return assignment
    level = _unit_level(region, department)
    assignment = Assignment.objects.create(incident=incident, role=Assignment.Role.CO, level=level, region=region,
                                           department=department, state=Assignment.State.PENDING)
    unit = department or region
    _event(incident, kind="co_handler_added", actor=actor, public=False,
           note=" ".join(filter(None, [str(unit), note])))
    notify(recipients=unit_accounts(level=level, region=region, department=department), kind="incident_co_handler",
           title=_("Case to help with (协办): %(code)s %(title)s") % {"code": incident.tracking_code,
                                                                    "title": incident.title},
           body=note, url=case_url(incident), obj=incident, dedupe_key=f"co_handler:{incident.pk}:{assignment.pk}")
    return assignment


@transaction.atomic
def incident_add_co_handler(*, actor, incident_id, region=None, department=None, note: str = "",
                            now=None) -> Assignment:
    """协办: the lead unit or the dispatching community/street adds a co-handler unit (a current grid, community or
    street of the same district, or an active department)."""
    incident = _lock(incident_id)
    check(actor, "add_co_handler", incident)
    if (region is None) == (department is None):
        raise ValidationError({"__all__": _("Choose one unit: a region or a department. 请选择一个协办单位。")})
    if department is not None and not getattr(department, "is_active", False):
        raise ValidationError({"department": _("Choose an active department. 请选择有效的部门。")})
    if region is not None and (not isinstance(region, Region) or region.valid_to is not None
                               or region.level not in (*GRID_LEVELS, RegionLevel.COMMUNITY, RegionLevel.STREET)
                               or region.path[: Region.steplen] != incident.grid.path[: Region.steplen]):
        raise ValidationError({"region": _("Choose a current street, community or grid of this district. "
                                           "请选择本区现有的街道、社区或网格。")})
    note = _optional_text(note, field="note", max_length=2000)
    return add_co_handler(incident, actor=actor, region=region, department=department, note=note)
