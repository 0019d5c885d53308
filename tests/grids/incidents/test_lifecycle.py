"""The case from report to rating through the services, one event row per step, and each action's rules:
who may act (other grid, other department, wrong role are refused), required reasons, time windows."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from grids.models import Assignment, ContactLog, Incident, IncidentEvent
from grids.services.incidents import (
    incident_answer,
    incident_close,
    incident_contact,
    incident_merge,
    incident_rate,
    incident_reject,
    incident_reopen,
    incident_return,
    incident_sign_for,
    incident_start,
    incident_transition,
    incident_verify,
)
from tests.grids.incidents.factories import make_incident

pytestmark = pytest.mark.django_db
S = Incident.Status
T0 = timezone.now().replace(microsecond=0)


def at(hours=0, days=0):
    return T0 + datetime.timedelta(hours=hours, days=days)


def test_happy_path_with_an_event_per_step(world, settings):
    settings.GONGZHI_VERIFY_HOURS, settings.GONGZHI_RATING_WINDOW_DAYS = 48, 7
    gw, cs = world.grid_worker, world.community_staff
    incident = world.incident("grid", now=at())
    assert incident.status == S.DISPATCHED

    incident = incident_sign_for(actor=gw, incident_id=incident.pk, now=at(1))
    assert (incident.status, incident.signed_at) == (S.SIGNED, at(1))
    assert world.lead(incident).state == Assignment.State.SIGNED

    incident = incident_start(actor=gw, incident_id=incident.pk, now=at(2))
    incident_contact(actor=gw, incident_id=incident.pk, method="phone", reached=True, note="已电话联系", now=at(3))
    incident = incident_answer(actor=gw, incident_id=incident.pk, answer="已清理完毕", now=at(5))
    assert (incident.status, incident.answered_at, incident.verify_by) == (S.ANSWERED, at(5), at(5 + 48))

    incident = incident_verify(actor=cs, incident_id=incident.pk, passed=True, note="现场已清理", now=at(6))
    assert (incident.status, incident.closed_at, incident.rate_by) == (S.CLOSED, at(6), at(6, days=7))
    assert not Assignment.objects.filter(incident=incident, state__in=["pending", "signed"]).exists()

    incident = incident_rate(incident_id=incident.pk, resolution="resolved", satisfaction="satisfied",
                             comment="很快", now=at(30))
    incident.refresh_from_db()
    assert (incident.status, incident.resolution, incident.satisfaction, incident.rated_at) == (
        S.RATED, "resolved", "satisfied", at(30))
    assert incident.first_contact_at == at(3)

    steps = list(IncidentEvent.objects.filter(incident=incident).order_by("pk")
                 .values_list("kind", "from_status", "to_status", "actor"))
    assert steps == [
        ("transition", "", S.REPORTED, None),
        ("transition", S.REPORTED, S.REGISTERED, None),
        ("transition", S.REGISTERED, S.DISPATCHED, None),
        ("transition", S.DISPATCHED, S.SIGNED, gw.pk),
        ("transition", S.SIGNED, S.IN_HAND, gw.pk),
        ("contact", "", "", gw.pk),
        ("transition", S.IN_HAND, S.ANSWERED, gw.pk),
        ("transition", S.ANSWERED, S.VERIFIED, cs.pk),
        ("transition", S.VERIFIED, S.CLOSED, cs.pk),
        ("transition", S.CLOSED, S.RATED, None),
    ]
    assert not IncidentEvent.objects.get(incident=incident, kind="contact").public


# --- sign for ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["sibling_grid_worker", "community_staff", "street_staff", "handler", "resident",
                                 "district_official"])
def test_only_the_grid_unit_signs_for_a_grid_case(world, who):
    incident = world.incident("grid")
    with pytest.raises(PermissionDeniedError):
        incident_sign_for(actor=getattr(world, who), incident_id=incident.pk)
    assert Incident.objects.get(pk=incident.pk).status == S.DISPATCHED


@pytest.mark.parametrize(("level", "ok", "denied"), [
    ("community", "community_staff", ["other_community_staff", "grid_worker", "street_staff"]),
    ("street", "street_staff", ["other_street_staff", "community_staff", "handler"]),
    ("department", "handler", ["other_handler", "street_staff", "grid_worker"]),
])
def test_sign_for_by_the_units_accounts(world, level, ok, denied):
    incident = world.incident(level)
    for who in denied:
        with pytest.raises(PermissionDeniedError):
            incident_sign_for(actor=getattr(world, who), incident_id=incident.pk)
    actor = getattr(world, ok)
    incident = incident_sign_for(actor=actor, incident_id=incident.pk)
    assert incident.status == S.SIGNED
    assert world.lead(incident).assignee == actor  # the signer is now in charge
    assert incident_sign_for(actor=actor, incident_id=incident.pk).status == S.SIGNED  # double click: harmless
    assert IncidentEvent.objects.filter(incident=incident, to_status=S.SIGNED).count() == 1


def test_sign_for_in_the_wrong_state(world):
    incident = world.incident("grid", dispatch=False)
    with pytest.raises(InvalidTransition):
        incident_sign_for(actor=world.grid_worker, incident_id=incident.pk)


# --- return ------------------------------------------------------------------------------------------------------
def test_return_needs_a_reason_and_the_lead_unit(world):
    incident = world.incident("grid")
    with pytest.raises(ValidationError) as exc:
        incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDeniedError):
        incident_return(actor=world.sibling_grid_worker, incident_id=incident.pk, reason="不归我管")
    incident_sign_for(actor=world.grid_worker, incident_id=incident.pk)
    incident = incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="签收后发现不属网格")
    assert incident.status == S.RETURNED
    event = IncidentEvent.objects.filter(incident=incident).latest("pk")
    assert (event.to_status, event.note, event.public) == (S.RETURNED, "签收后发现不属网格", False)


def test_no_return_once_in_hand(world):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    with pytest.raises(InvalidTransition):
        incident_return(actor=world.grid_worker, incident_id=incident.pk, reason="太难")


# --- start, contact, answer --------------------------------------------------------------------------------------
def test_start_and_answer_only_by_the_signed_lead(world):
    incident = world.incident("department")
    with pytest.raises(InvalidTransition):  # not signed for yet
        incident_start(actor=world.handler, incident_id=incident.pk)
    incident_sign_for(actor=world.handler, incident_id=incident.pk)
    with pytest.raises(PermissionDeniedError):
        incident_start(actor=world.other_handler, incident_id=incident.pk)
    incident_start(actor=world.handler, incident_id=incident.pk)
    with pytest.raises(ValidationError) as exc:
        incident_answer(actor=world.handler, incident_id=incident.pk, answer="")
    assert "answer" in exc.value.message_dict
    with pytest.raises(PermissionDeniedError):
        incident_answer(actor=world.street_staff, incident_id=incident.pk, answer="已处理")
    assert incident_answer(actor=world.handler, incident_id=incident.pk, answer="已拆除").status == S.ANSWERED


def test_contact_sets_first_contact_once_and_only_when_reached(world):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    gw = world.grid_worker
    incident_contact(actor=gw, incident_id=incident.pk, method="phone", reached=False, now=at(1))
    assert Incident.objects.get(pk=incident.pk).first_contact_at is None
    incident_contact(actor=gw, incident_id=incident.pk, method="visit", reached=True, now=at(2))
    incident_contact(actor=gw, incident_id=incident.pk, method="sms", reached=True, now=at(3))
    assert Incident.objects.get(pk=incident.pk).first_contact_at == at(2)
    assert ContactLog.objects.filter(incident=incident).count() == 3
    assert IncidentEvent.objects.filter(incident=incident, kind="contact", public=False).count() == 3
    with pytest.raises(ValidationError):
        incident_contact(actor=gw, incident_id=incident.pk, method="telepathy")
    with pytest.raises(PermissionDeniedError):
        incident_contact(actor=world.sibling_grid_worker, incident_id=incident.pk, method="phone")


def test_contact_not_before_sign_for(world):
    incident = world.incident("grid")
    with pytest.raises(InvalidTransition):
        incident_contact(actor=world.grid_worker, incident_id=incident.pk, method="phone")


# --- verify, rework, close ---------------------------------------------------------------------------------------
def test_failed_verification_is_rework(world):
    incident = world.advance(world.incident("department"), to=S.ANSWERED)
    with pytest.raises(ValidationError) as exc:
        incident_verify(actor=world.grid_worker, incident_id=incident.pk, passed=False, note="")
    assert "note" in exc.value.message_dict
    incident = incident_verify(actor=world.grid_worker, incident_id=incident.pk, passed=False, note="违建未拆完")
    assert (incident.status, incident.rework_count, incident.verify_by) == (S.IN_HAND, 1, None)
    event = IncidentEvent.objects.filter(incident=incident).latest("pk")
    assert (event.kind, event.from_status, event.to_status, event.note) == ("rework", S.ANSWERED, S.IN_HAND, "违建未拆完")
    assert world.lead(incident).state == Assignment.State.SIGNED  # the same unit redoes it
    incident_answer(actor=world.handler, incident_id=incident.pk, answer="已全部拆除")
    incident = incident_verify(actor=world.grid_worker, incident_id=incident.pk, passed=True)
    assert incident.status == S.CLOSED and incident.rework_count == 1


@pytest.mark.parametrize("who", ["sibling_grid_worker", "other_community_staff", "handler", "street_staff",
                                 "resident"])
def test_verify_refused_to_others(world, who):
    incident = world.advance(world.incident("department"), to=S.ANSWERED)
    with pytest.raises(PermissionDeniedError):
        incident_verify(actor=getattr(world, who), incident_id=incident.pk, passed=True)


def test_the_answerer_may_not_verify_their_own_answer(world):
    incident = world.advance(world.incident("grid"), to=S.ANSWERED)
    with pytest.raises(PermissionDeniedError):
        incident_verify(actor=world.grid_worker, incident_id=incident.pk, passed=True)
    assert incident_verify(actor=world.community_staff, incident_id=incident.pk, passed=True).status == S.CLOSED


def test_close_a_verified_case(world):
    incident = world.advance(world.incident("grid"), to=S.ANSWERED)
    incident_transition(incident_id=incident.pk, to=S.VERIFIED)  # e.g. left there by an older flow
    with pytest.raises(PermissionDeniedError):
        incident_close(actor=world.grid_worker, incident_id=incident.pk)
    with pytest.raises(PermissionDeniedError):
        incident_close(actor=world.other_street_staff, incident_id=incident.pk)
    incident = incident_close(actor=world.street_staff, incident_id=incident.pk, now=at())
    assert (incident.status, incident.closed_at) == (S.CLOSED, at())


# --- rating and reopening ----------------------------------------------------------------------------------------
def test_rating_only_when_closed_and_within_the_window(world, settings):
    settings.GONGZHI_RATING_WINDOW_DAYS = 7
    incident = world.advance(world.incident("grid", now=at()), to=S.ANSWERED, now=at())
    with pytest.raises(InvalidTransition):
        incident_rate(incident_id=incident.pk, resolution="resolved", satisfaction="satisfied")
    incident = incident_verify(actor=world.community_staff, incident_id=incident.pk, passed=True, now=at())
    with pytest.raises(InvalidTransition):
        incident_rate(incident_id=incident.pk, resolution="resolved", satisfaction="satisfied",
                      now=at(days=7, hours=1))
    with pytest.raises(ValidationError) as exc:
        incident_rate(incident_id=incident.pk, resolution="maybe", satisfaction="ecstatic", now=at(days=1))
    assert set(exc.value.message_dict) == {"resolution", "satisfaction"}
    incident = incident_rate(incident_id=incident.pk, resolution="partly", satisfaction="basically", now=at(days=7))
    assert incident.status == S.RATED
    with pytest.raises(InvalidTransition):  # once
        incident_rate(incident_id=incident.pk, resolution="resolved", satisfaction="satisfied", now=at(days=7))


def test_reopen_within_the_window_when_rated_unresolved(world, settings):
    settings.GONGZHI_REOPEN_WINDOW_DAYS = 15
    incident = world.advance(world.incident("grid", now=at()), to=S.CLOSED, now=at())
    incident_rate(incident_id=incident.pk, resolution="unresolved", satisfaction="dissatisfied", now=at(days=1))
    incident = incident_reopen(incident_id=incident.pk, reason="杂物又堆回来了", now=at(days=15))
    assert (incident.status, incident.reopen_count) == (S.REOPENED, 1)
    assert incident.handle_by == at(days=15 + 7)
    assert IncidentEvent.objects.filter(incident=incident, to_status=S.REOPENED, note="杂物又堆回来了").exists()


def test_reopen_refused_after_the_window_or_when_resolved(world, settings):
    settings.GONGZHI_REOPEN_WINDOW_DAYS = 15
    late = world.advance(world.incident("grid", now=at()), to=S.CLOSED, now=at())
    incident_rate(incident_id=late.pk, resolution="unresolved", satisfaction="dissatisfied", now=at(days=1))
    with pytest.raises(InvalidTransition):
        incident_reopen(incident_id=late.pk, now=at(days=15, hours=1))
    happy = world.advance(world.incident("grid", now=at()), to=S.RATED, now=at())
    with pytest.raises(InvalidTransition):
        incident_reopen(incident_id=happy.pk, now=at(days=1))
    closed = world.advance(world.incident("grid", now=at()), to=S.CLOSED, now=at())
    with pytest.raises(InvalidTransition):  # rate first
        incident_reopen(incident_id=closed.pk, now=at(days=1))


def test_reopen_enqueues_dispatch(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    incident = world.advance(world.incident("grid", now=now), to=S.CLOSED, now=now)
    incident_rate(incident_id=incident.pk, resolution="unresolved", satisfaction="dissatisfied", now=now)
    with django_capture_on_commit_callbacks(execute=True):
        incident_reopen(incident_id=incident.pk, now=now)
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED
    assert world.lead(incident).region == world.community  # one level up from the grid


# --- reject and merge --------------------------------------------------------------------------------------------
def test_reject_needs_a_reason_and_dispatching_staff(world):
    incident = world.incident("department")
    for who in ("grid_worker", "handler", "other_community_staff", "district_official"):
        with pytest.raises(PermissionDeniedError):
            incident_reject(actor=getattr(world, who), incident_id=incident.pk, reason="不属受理范围")
    with pytest.raises(ValidationError):
        incident_reject(actor=world.community_staff, incident_id=incident.pk, reason="")
    incident = incident_reject(actor=world.community_staff, incident_id=incident.pk, reason="属民事纠纷，请走诉讼")
    assert incident.status == S.REJECTED
    assert set(Assignment.objects.filter(incident=incident).values_list("state", flat=True)) == {"withdrawn"}


def test_no_reject_after_sign_for(world):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    with pytest.raises(InvalidTransition):
        incident_reject(actor=world.street_staff, incident_id=incident.pk, reason="x")


def test_merge_into_a_case_of_the_same_community(world):
    original = world.advance(world.incident("grid"), to=S.IN_HAND)
    duplicate = world.incident("grid", grid=world.sibling_grid)  # same community, other grid
    incident = incident_merge(actor=world.street_staff, incident_id=duplicate.pk, duplicate_of=original)
    assert (incident.status, incident.duplicate_of_id) == (S.MERGED, original.pk)
    assert IncidentEvent.objects.filter(incident=original, kind="duplicate_linked",
                                        note=duplicate.tracking_code).exists()
    assert not Assignment.objects.filter(incident=duplicate, state__in=["pending", "signed"]).exists()


def test_merge_rules(world):
    original = world.incident("grid")
    other_community = world.incident("grid", grid=world.tree.grids[2])
    duplicate = world.incident("grid")
    with pytest.raises(ValidationError):
        incident_merge(actor=world.community_staff, incident_id=duplicate.pk, duplicate_of=duplicate.pk)
    with pytest.raises(ValidationError):
        incident_merge(actor=world.street_staff, incident_id=duplicate.pk, duplicate_of=other_community)
    rejected = world.incident("grid")
    incident_reject(actor=world.community_staff, incident_id=rejected.pk, reason="无效")
    with pytest.raises(ValidationError):
        incident_merge(actor=world.community_staff, incident_id=duplicate.pk, duplicate_of=rejected)
    with pytest.raises(PermissionDeniedError):
        incident_merge(actor=world.grid_worker, incident_id=duplicate.pk, duplicate_of=original)
    with pytest.raises(NotFoundOrForbidden):
        incident_merge(actor=world.community_staff, incident_id=987654, duplicate_of=original)
    incident_merge(actor=world.community_staff, incident_id=duplicate.pk, duplicate_of=original)
    with pytest.raises(InvalidTransition):  # merged is final
        incident_merge(actor=world.community_staff, incident_id=duplicate.pk, duplicate_of=original)


def test_unknown_case_is_not_found(world):
    with pytest.raises(NotFoundOrForbidden):
        incident_sign_for(actor=world.grid_worker, incident_id=424242)


def test_make_incident_without_dispatch_is_registered(world):
    incident = make_incident(grid=world.grid, category=world.cats.street, dispatch=False)
    assert incident.status == S.REGISTERED
