"""The public tracking page: anyone with a case's tracking code sees its progress, and the person who reported it
rates the result (and asks to reopen it when it was not solved).

What the page shows, and what it never shows (DOMAIN "Residents see progress … with no one else's personal data"):
- shown: the public stage and status, category, title, the reporter's own description, the community (never the
  address, building or map point), the public timeline (time, step, the unit — "网格", "社区", a department's
  name — and the public note), the expected date while open, the answer, the rating once given;
- never: names, phones, handlers' names or accounts, photos, internal events (public=False). Free text
  (title, description, notes, answer) is passed through `public_text`, which masks phone numbers, ID-like
  numbers and the reporter's own name, in case someone typed them in.

Abuse limits (django-ratelimit, per client address unless noted): unknown codes count against
GONGZHI_TRACK_MISS_RATE (default 20 per 10 minutes: stops guessing codes), POSTs against GONGZHI_TRACK_POST_RATE
(default 20 per 10 minutes), and wrong phone digits against GONGZHI_TRACK_TAIL_RATE per case (default 5 per hour,
whatever the address: 4 digits must not be guessable).

Reads here are few and fixed: the case (lifecycle selector), its community, the public events with their
actors' units: the query count does not grow with the timeline.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from governance.lib.exceptions import ApplicationError
from governance.lib.pii import mask_name
from grids.forms_intake import RatingForm, ReopenForm, TrackLookupForm, normalise_code
from grids.models import Incident, IncidentEvent, IncidentStatus, Region, RegionLevel
from grids.views.intake import rate_limited_page

S = IncidentStatus
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")

# The resident's view of the workflow: six steps, whatever the internal status.
STAGES = [
    ("received", pgettext_lazy("case stage", "Received")),
    ("accepted", pgettext_lazy("case stage", "Accepted")),
    ("in_hand", pgettext_lazy("case stage", "Being handled")),
    ("answered", pgettext_lazy("case stage", "Answered")),
    ("closed", pgettext_lazy("case stage", "Closed")),
    ("rated", pgettext_lazy("case stage", "Rated")),
]
STAGE_OF = {
    S.REPORTED: 0, S.REGISTERED: 1, S.DISPATCHED: 1, S.RETURNED: 1, S.SIGNED: 2, S.IN_HAND: 2, S.REOPENED: 2,
    S.ANSWERED: 3, S.VERIFIED: 3, S.CLOSED: 4, S.RATED: 5,
}
# The status in the resident's words (its own vocabulary, translated with a context of its own, so that e.g.
# "Closed" can never pick up the catalogue's "closed (business)" translation).
PUBLIC_STATUS = {
    S.REPORTED: pgettext_lazy("public case status", "Submitted"),
    S.REGISTERED: pgettext_lazy("public case status", "Accepted"),
    S.REJECTED: pgettext_lazy("public case status", "Not taken up"),
    S.MERGED: pgettext_lazy("public case status", "Handled together with an earlier report"),
    S.DISPATCHED: pgettext_lazy("public case status", "Sent to the handling unit"),
    S.RETURNED: pgettext_lazy("public case status", "Being sent to the right unit"),
    S.SIGNED: pgettext_lazy("public case status", "Taken on by the handling unit"),
    S.IN_HAND: pgettext_lazy("public case status", "Being handled"),
    S.ANSWERED: pgettext_lazy("public case status", "Answered"),
    S.VERIFIED: pgettext_lazy("public case status", "Result checked"),
    S.CLOSED: pgettext_lazy("public case status", "Closed"),
    S.RATED: pgettext_lazy("public case status", "Rated"),
    S.REOPENED: pgettext_lazy("public case status", "Reopened"),
}


def public_status(status: str) -> str:
    return str(PUBLIC_STATUS.get(status, "")) or status


# Step labels of events that are not plain transitions (the lifecycle's event kinds).
# (Today only "transition" and "extension_approved" events are public; the others are ready if that changes.)
KIND_LABELS = {
    "extension_approved": gettext_lazy("Deadline extended (延期)"),
    "contact": gettext_lazy("The handling unit contacted the reporter"),
    "whistle": gettext_lazy("Departments summoned (吹哨)"),
    "report_in": gettext_lazy("A summoned department reported in (报到)"),
    "supervision": gettext_lazy("Supervised (督办)"),
    "rework": gettext_lazy("Sent back for more work (返工)"),
}
# Transitions whose note is not for the public page: the rating note holds raw codes (shown properly below).
SILENT_NOTES = {S.RATED}

# --- masking of free text --------------------------------------------------------------------------------------

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{7,10}(\d{3}[0-9Xx])(?![0-9A-Za-z])")  # 15–18 characters
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?\d{3,4}(\d{4})(?!\d)")
_TRACKING_CODE = re.compile(r"(?<![0-9A-Z])GZ\d{6}[0-9A-Z]{4,}(?![0-9A-Z])")


def public_text(text: str, *, names=(), own_code: str = "") -> str:
    """Mask phone numbers, ID-like numbers, the given names and other cases' tracking codes (a merge note names
    the case it was merged into: its code would open another resident's report) in text shown to the public."""
    if not text:
        return ""
    text = _TRACKING_CODE.sub(lambda m: m.group(0) if m.group(0) == own_code else "GZ******", text)
    text = _ID_LIKE.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 8) + m.group(2), text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(2)}", text)
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


# --- limits ------------------------------------------------------------------------------------------------------

def _rate(setting: str, default: str):
    return lambda group, request: getattr(settings, setting, default)


_miss_rate = _rate("GONGZHI_TRACK_MISS_RATE", "20/10m")
_post_rate = _rate("GONGZHI_TRACK_POST_RATE", "20/10m")
_tail_rate = _rate("GONGZHI_TRACK_TAIL_RATE", "5/h")


def _exhausted(request, *, group, key, rate, increment) -> bool:
    usage = get_usage(request, group=group, key=key, rate=rate, method=ALL, increment=increment)
    return usage is not None and usage["count"] >= usage["limit"]


def _misses_exhausted(request, *, increment=False) -> bool:
    return _exhausted(request, group="intake:track-miss", key="ip", rate=_miss_rate, increment=increment)


def _tail_exhausted(request, code, *, increment=False) -> bool:
    return _exhausted(request, group="intake:track-tail", key=lambda group, req: code, rate=_tail_rate,
                      increment=increment)


# --- reads -------------------------------------------------------------------------------------------------------

def _lookup(code: str):
    """The lifecycle's public selector; an unknown or malformed code is None."""
    if not CODE_RE.match(code):
        return None
    from grids.selectors.incidents import incident_by_tracking_code

    try:
        return incident_by_tracking_code(code)
    except (ObjectDoesNotExist, ApplicationError, ValueError):
        return None


def _unit_label(actor) -> str:
    """A unit, never a person: the department's name, or the level of the region the account belongs to."""
    if actor is None:
        return ""
    if actor.department_id and actor.department is not None:
        return actor.department.name
    if actor.region_id and actor.region is not None:
        try:
            return str(RegionLevel(actor.region.level).label)
        except ValueError:
            return ""
    return ""


def _step_label(event) -> str:
    if event.kind in KIND_LABELS:
        return str(KIND_LABELS[event.kind])
    if event.to_status in PUBLIC_STATUS:
        return public_status(event.to_status)
    return _("Progress update")


def _actors(events) -> dict:
    """The accounts behind the events, with their unit only (one query; no other account field is loaded)."""
    from governance.models import User

    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return {u.pk: u for u in User.objects.filter(pk__in=ids).select_related("department", "region")
            .only("pk", "department_id", "region_id", "department__name", "region__level")}


def public_timeline(incident, *, names=()) -> list[dict]:
    """Public events only: the selector's prefetched `public_events` when present, else one query."""
    events = getattr(incident, "public_events", None)
    if events is None:
        events = list(IncidentEvent.objects.filter(incident_id=incident.pk, public=True).order_by("created_at", "id"))
    events = [e for e in events if e.public]
    actors = _actors(events)
    return [{"at": e.created_at, "label": _step_label(e), "unit": _unit_label(actors.get(e.actor_id)),
             "note": "" if e.to_status in SILENT_NOTES else public_text(e.note, names=names,
                                                                        own_code=incident.tracking_code)}
            for e in events]


def _community_name(incident) -> str:
    grid = incident.grid
    community_path = grid.path[: Region.steplen * 3]
    return Region.objects.filter(path=community_path).values_list("name", flat=True).first() or ""


def can_rate(incident, now) -> bool:
    return incident.status == S.CLOSED and (incident.rate_by is None or now <= incident.rate_by)


def can_reopen(incident, now) -> bool:
    """Mirrors incident_reopen: rated "not resolved", within GONGZHI_REOPEN_WINDOW_DAYS of closing."""
    if incident.status != S.RATED or incident.resolution != "unresolved" or incident.closed_at is None:
        return False
    return now <= incident.closed_at + timedelta(days=settings.GONGZHI_REOPEN_WINDOW_DAYS)


# --- pages -------------------------------------------------------------------------------------------------------

@never_cache
@require_GET
def track(request):
    """The lookup form; ?code= jumps to the case."""
    if "code" in request.GET:
        form = TrackLookupForm(request.GET)
        if form.is_valid():
            return redirect("intake:track_detail", code=form.cleaned_data["code"])
        return render(request, "grids/intake/track.html", {"form": form}, status=400)
    return render(request, "grids/intake/track.html", {"form": TrackLookupForm()})


def _not_found(request, code):
    form = TrackLookupForm(initial={"code": code[:40]})
    return render(request, "grids/intake/track.html", {"form": form, "not_found": True}, status=404)


@never_cache
@require_http_methods(["GET", "POST"])
@ratelimit(group="intake:track-post", key="ip", rate=_post_rate, method="POST", block=False)
def track_detail(request, code):
    if _misses_exhausted(request):
        return rate_limited_page(request)
    canonical = normalise_code(code)
    incident = _lookup(canonical)
    if incident is None:
        _misses_exhausted(request, increment=True)
        return _not_found(request, code)
    if canonical != code and request.method == "GET":
        return redirect("intake:track_detail", code=canonical)

    now = timezone.now()
    phone = incident.reporter_phone or ""
    rating_form = RatingForm(prefix="rate", phone=phone)
    reopen_form = ReopenForm(prefix="reopen", phone=phone)
    status, action_error = 200, ""
    if request.method == "POST":
        if getattr(request, "limited", False):
            return rate_limited_page(request)
        action, outcome = request.POST.get("action"), 400
        if action == "rate" and can_rate(incident, now):
            rating_form = RatingForm(request.POST, prefix="rate", phone=phone)
            outcome = _act(request, incident, rating_form, _rate_case,
                           _("Thank you for your rating. 感谢您的评价。"))
        elif action == "reopen" and can_reopen(incident, now):
            reopen_form = ReopenForm(request.POST, prefix="reopen", phone=phone)
            outcome = _act(request, incident, reopen_form, _reopen_case,
                           _("The case has been reopened and goes back to the handlers. 诉求已重新办理。"))
        else:
            action_error = _("This is not possible for this case now. 该诉求当前不能进行此操作。")
        if not isinstance(outcome, int):
            return outcome  # done: back to the page (POST/redirect/GET)
        status = outcome

    names = [incident.reporter_name or ""]
    return render(request, "grids/intake/track_detail.html", {
        "incident": incident,
        "status_label": public_status(incident.status),
        "stages": [{"label": label, "done": i <= STAGE_OF.get(incident.status, -1),
                    "current": i == STAGE_OF.get(incident.status, -1)} for i, (_key, label) in enumerate(STAGES)],
        "stopped": incident.status in (S.REJECTED, S.MERGED),
        "is_open": incident.status in Incident.OPEN,
        "category_name": incident.category.name,
        "title": public_text(incident.title, names=names),
        "description": public_text(incident.description, names=names),
        "answer": public_text(incident.answer, names=names),
        "rating_comment": public_text(incident.rating_comment, names=names),
        "community": _community_name(incident),
        "timeline": public_timeline(incident, names=names),
        "can_rate": can_rate(incident, now),
        "can_reopen": can_reopen(incident, now),
        "rating_form": rating_form,
        "reopen_form": reopen_form,
        "action_error": action_error,
        "resolution_label": dict(Incident._meta.get_field("resolution").choices).get(incident.resolution, ""),
        "satisfaction_label": dict(Incident._meta.get_field("satisfaction").choices).get(incident.satisfaction, ""),
    }, status=status)


def _act(request, incident, form, perform, done_message):
    """Validate (phone digits, wrong ones counted per case), call the service: a redirect when done, else the
    status code for the page shown again with the messages."""
    code = incident.tracking_code
    if _tail_exhausted(request, code):
        form.is_valid()  # bind, so the typed values are shown again
        form.add_error(None, _("Too many wrong attempts for this case; please try again in an hour. "
                               "该诉求验证错误次数过多，请一小时后再试。"))
        return 429
    if not form.is_valid():
        if "phone_tail" in form.errors:
            _tail_exhausted(request, code, increment=True)
        return 400
    try:
        perform(incident, form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return 400
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return 400
    messages.success(request, done_message)
    return redirect("intake:track_detail", code=code)


def _rate_case(incident, data):
    from grids.services.incidents import incident_rate

    incident_rate(incident_id=incident.pk, resolution=data["resolution"], satisfaction=data["satisfaction"],
                  comment=data.get("comment", ""))


def _reopen_case(incident, data):
    from grids.services.incidents import incident_reopen

    incident_reopen(incident_id=incident.pk, reason=data.get("reason", ""))
