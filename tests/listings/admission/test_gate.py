"""The community gate: tasks departments send, marked "not admitted" unless they cite an item admitted for the
community; the community's one-action refusal with a reason, seen by the department; separate inspections."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from governance.models import Notification
from listings.admission.models import ExtraDemand, GateReason, SentTask, SentTaskEvent
from listings.admission.services import applications as app_svc
from listings.admission.services import tasks as svc
from tests.listings.admission.conftest import NOW

pytestmark = pytest.mark.django_db
IN_PERIOD = NOW + datetime.timedelta(days=100)   # the default application starts 90 days after NOW


def send(world, *, communities=None, application=None, kind="work", now=IN_PERIOD, **extra):
    return svc.task_send(actor=world.handler, title=extra.pop("title", "报送垃圾分类工作月报"),
                         content=extra.pop("content", "每月5日前报送上月情况"), kind=kind,
                         communities=communities or [world.communities[0]], application=application, now=now,
                         **extra)


def test_a_task_citing_an_item_admitted_for_the_community_arrives_admitted(world):
    application = world.admitted()
    [task] = send(world, application=application)
    assert task.is_admitted and task.gate_reason == "" and task.state == "received"
    assert task.admitted_task.application == application and task.admitted_task.community == world.communities[0]
    note = Notification.objects.get(kind="task_received", recipient=world.community_staff)
    assert "已准入" in note.body


@pytest.mark.parametrize("case,reason", [
    ("no_citation", GateReason.NO_CITATION),
    ("pending", GateReason.NOT_ADMITTED),
    ("other_community", GateReason.NOT_TARGETED),
    ("before_period", GateReason.OUTSIDE_PERIOD),
    ("revoked", GateReason.NOT_ADMITTED),
])
def test_anything_else_arrives_marked_not_admitted(world, case, reason):
    now = IN_PERIOD
    communities = [world.communities[0]]
    application = None
    if case == "pending":
        application = world.apply()
    elif case in ("other_community", "before_period", "revoked"):
        application = world.admitted()
    if case == "other_community":
        communities = [world.communities[2]]
    elif case == "before_period":
        now = NOW + datetime.timedelta(days=1)
    elif case == "revoked":
        app_svc.application_revoke(actor=world.official, application_id=application.pk, note="撤销", now=NOW)
    [task] = send(world, application=application, communities=communities, now=now)
    assert not task.is_admitted and task.gate_reason == reason and task.admitted_task is None
    assert task.may_be_refused
    note = Notification.objects.get(kind="task_received", object_id=str(task.pk))
    assert "社区有权拒绝" in note.body


def test_one_send_to_several_communities_is_judged_per_community(world):
    application = world.admitted(communities=world.communities[:2])
    tasks = send(world, application=application, communities=world.communities[:3])
    assert [(t.community, t.is_admitted) for t in tasks] == [
        (world.communities[0], True), (world.communities[1], True), (world.communities[2], False)]
    assert len({t.batch for t in tasks}) == 1
    assert SentTaskEvent.objects.filter(task__in=tasks, to_state="received").count() == 3


@pytest.mark.parametrize("kind", ["inspection", "appraisal", "ranking"])
def test_a_separate_inspection_on_an_admitted_item_is_not_admitted_and_counted(world, kind):
    application = world.admitted()
    [task] = send(world, application=application, kind=kind, title="垃圾分类工作专项考核")
    assert not task.is_admitted and task.gate_reason == GateReason.SEPARATE_CHECK
    demand = ExtraDemand.objects.get()
    assert (demand.application, demand.community, demand.department, demand.kind, demand.source, demand.sent_task) == (
        application, world.communities[0], world.department, kind, "sent", task)
    assert Notification.objects.filter(kind="extra_demand", recipient=world.official).count() == 1


def test_an_unadmitted_inspection_is_just_not_admitted(world):
    [task] = send(world, kind="inspection")
    assert task.gate_reason == GateReason.NO_CITATION and not ExtraDemand.objects.exists()


# --- refusing ------------------------------------------------------------------------------------------------

def test_the_community_refuses_with_one_action_and_the_department_sees_it(world):
    [task] = send(world)
    refused = svc.task_refuse(actor=world.community_staff, task_id=task.pk, reason="未经准入，不在社区工作清单内",
                              now=IN_PERIOD)
    assert refused.state == "refused" and refused.refusal_reason == "未经准入，不在社区工作清单内"
    assert refused.acted_by == world.community_staff and refused.acted_at == IN_PERIOD
    assert list(refused.events.values_list("from_state", "to_state")) == [("", "received"), ("received", "refused")]
    note = Notification.objects.get(kind="task_refused")
    assert note.recipient == world.handler and "未经准入，不在社区工作清单内" in note.body
    assert world.communities[0].name in note.title
    # A second click changes nothing.
    svc.task_refuse(actor=world.community_staff, task_id=task.pk, reason="再次")
    assert SentTaskEvent.objects.filter(task=task, to_state="refused").count() == 1
    task.refresh_from_db()
    assert task.refusal_reason == "未经准入，不在社区工作清单内"


def test_refusing_needs_a_reason(world):
    [task] = send(world)
    with pytest.raises(ValidationError) as exc:
        svc.task_refuse(actor=world.community_staff, task_id=task.pk, reason="  ")
    assert "reason" in exc.value.message_dict
    task.refresh_from_db()
    assert task.state == "received" and not Notification.objects.filter(kind="task_refused").exists()


def test_an_admitted_task_cannot_be_refused(world):
    [task] = send(world, application=world.admitted())
    with pytest.raises(PermissionDeniedError):
        svc.task_refuse(actor=world.community_staff, task_id=task.pk, reason="不想做")
    task.refresh_from_db()
    assert task.state == "received"


def test_only_the_communitys_staff_answer(world, other_world):
    [task] = send(world)
    for outsider in (world.other_community_staff, other_world.community_staff, other_world.official,
                     world.other_handler, world.resident):
        with pytest.raises(NotFoundOrForbidden):
            svc.task_refuse(actor=outsider, task_id=task.pk, reason="x")
    for reader in (world.street_staff, world.official, world.handler):
        with pytest.raises(PermissionDeniedError):
            svc.task_refuse(actor=reader, task_id=task.pk, reason="x")
    task.refresh_from_db()
    assert task.state == "received"


def test_accept_then_done(world):
    [task] = send(world)  # a community may also take on a task that was not admitted
    task = svc.task_accept(actor=world.community_staff, task_id=task.pk, now=IN_PERIOD)
    assert task.state == "accepted"
    task = svc.task_complete(actor=world.community_staff, task_id=task.pk, note="已报送")
    assert task.state == "done"
    with pytest.raises(InvalidTransition):
        svc.task_refuse(actor=world.community_staff, task_id=task.pk, reason="x")


# --- bad input ------------------------------------------------------------------------------------------------

def test_sending_with_bad_input_saves_nothing(world, other_world):
    other_app = other_world.admitted()
    cases = [
        ({"title": " "}, "title"),
        ({"content": ""}, "content"),
        ({"communities": [other_world.communities[0]]}, "communities"),
        ({"application": other_app}, "application"),
        ({"application": 999999}, "application"),
        ({"due_date": (IN_PERIOD - datetime.timedelta(days=1)).date()}, "due_date"),
        ({"kind": "party"}, "kind"),
    ]
    for overrides, field in cases:
        with pytest.raises(ValidationError) as exc:
            send(world, **overrides)
        assert field in exc.value.message_dict, overrides
    with pytest.raises(ValidationError) as exc:
        svc.task_send(actor=world.handler, title="t", content="c", communities=[], now=IN_PERIOD)
    assert "communities" in exc.value.message_dict
    assert not SentTask.objects.filter(department=world.department).exists()


def test_another_departments_admitted_item_cannot_be_cited(world):
    application = world.admitted()
    with pytest.raises(ValidationError):
        svc.task_send(actor=world.other_handler, title="t", content="c", communities=[world.communities[0]],
                      application=application, now=IN_PERIOD)


def test_only_department_handlers_send(world):
    with pytest.raises(PermissionDeniedError):
        svc.task_send(actor=world.official, title="t", content="c", communities=[world.communities[0]])


# --- separate inspections recorded by the community ---------------------------------------------------------------

def test_community_records_a_separate_inspection(world):
    application = world.admitted()
    row = application.ledger_rows.get(community=world.communities[0])
    day = IN_PERIOD.date()
    demand = svc.extra_demand_record(actor=world.community_staff, admitted_task_id=row.pk, kind="inspection",
                                     occurred_on=day, note="区城管局来社区检查垃圾分类台账", now=IN_PERIOD)
    assert (demand.source, demand.department, demand.community) == ("recorded", world.department, world.communities[0])
    assert Notification.objects.filter(kind="extra_demand", recipient=world.official).count() == 1


def test_recording_a_separate_inspection_checks_input_and_reach(world):
    application = world.admitted()
    row = application.ledger_rows.get(community=world.communities[0])
    day = IN_PERIOD.date()
    for kwargs, field in [({"kind": "party"}, "kind"), ({"occurred_on": day + datetime.timedelta(days=1)},
                                                        "occurred_on"),
                          ({"note": ""}, "note"), ({"occurred_on": NOW.date() - datetime.timedelta(days=1)},
                                                   "occurred_on")]:
        args = {"kind": "inspection", "occurred_on": day, "note": "检查", **kwargs}
        with pytest.raises(ValidationError) as exc:
            svc.extra_demand_record(actor=world.community_staff, admitted_task_id=row.pk, now=IN_PERIOD, **args)
        assert field in exc.value.message_dict
    with pytest.raises(NotFoundOrForbidden):
        svc.extra_demand_record(actor=world.other_community_staff, admitted_task_id=row.pk, kind="inspection",
                                occurred_on=day, note="x", now=IN_PERIOD)
    with pytest.raises(PermissionDeniedError):
        svc.extra_demand_record(actor=world.street_staff, admitted_task_id=row.pk, kind="inspection",
                                occurred_on=day, note="x", now=IN_PERIOD)
    assert not ExtraDemand.objects.exists()


@pytest.mark.parametrize("current,target,allowed", [
    ("received", "accepted", True), ("received", "refused", True), ("received", "done", False),
    ("accepted", "done", True), ("accepted", "refused", False), ("refused", "accepted", False),
    ("done", "received", False),
])
def test_sent_task_transition_table(current, target, allowed):
    from governance.lib.transitions import ensure_transition

    if allowed:
        ensure_transition(table=SentTask.TRANSITIONS, current=current, target=target)
    else:
        with pytest.raises(InvalidTransition):
            ensure_transition(table=SentTask.TRANSITIONS, current=current, target=target)
