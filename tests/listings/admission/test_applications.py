"""Admission workflow through the services: apply, pre-check, review, resubmit, revoke, yearly review — per role,
with the denials outside the jurisdiction and bad input that saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from governance.models import Notification
from listings.admission.models import AdmissionEvent, AdmittedTask, Application, ApplicationStatus
from listings.admission.services import applications as svc
from tests.listings.admission.conftest import NOW, TZ, World, make_item

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def _nothing_saved():
    assert Application.objects.count() == 0
    assert AdmissionEvent.objects.count() == 0
    assert Application.communities.through.objects.count() == 0
    assert Notification.objects.count() == 0


# --- applying ----------------------------------------------------------------------------------------------------

def test_a_draft_is_saved_without_submitting(world):
    application = world.apply(submit=False)
    assert application.status == S.DRAFT and application.applied_at is None
    assert application.department == world.department and application.district == world.district
    assert list(application.communities.all()) == world.communities[:2]
    assert application.track == "full_review"  # the pre-check is shown on drafts too
    assert not Notification.objects.exists()


def test_submitting_an_unlisted_funded_task_starts_the_review_clock(world):
    application = world.apply()
    assert application.status == S.SUBMITTED and application.submission_count == 1
    assert application.track == "full_review"
    assert [r["code"] for r in application.reason_codes] == ["unlisted_full_review"]
    # 15 working days after Monday 3 March 2025 (no holiday in March): Monday 24 March, end of the working day.
    assert application.review_due_at == datetime.datetime(2025, 3, 24, 17, 30, tzinfo=TZ)
    assert application.review_remind_at == NOW + (application.review_due_at - NOW) * 0.8
    assert list(AdmissionEvent.objects.filter(application=application).values_list("from_status", "to_status")) == [
        ("draft", "draft"), ("draft", "submitted")]
    note = Notification.objects.get(kind="admission_submitted")
    assert note.recipient == world.official and world.department.name in note.body


def test_citing_an_assisting_item_goes_on_the_fast_track(world):
    application = world.apply(cited_item=world.assisting, funding_per_community_yuan=None, staff_per_community=None)
    assert application.status == S.SUBMITTED and application.track == "fast_track"
    assert application.matched_item == world.assisting


@pytest.mark.parametrize("overrides", [{"title": "餐饮门店安全生产执法检查"}, {"cited_item": "negative"}])
def test_a_task_on_the_negative_list_is_refused_at_once(world, overrides):
    if overrides.get("cited_item") == "negative":
        overrides = {"cited_item": world.negative}
    application = world.apply(**overrides)
    assert application.status == S.REFUSED and application.track == "refused"
    assert application.reason_codes[0]["code"] == "negative_list" and application.matched_item == world.negative
    assert "安全生产监管执法" in application.decision_note and application.decided_by is None
    assert application.review_due_at is None
    assert list(application.events.values_list("to_status", flat=True)) == ["draft", "submitted", "refused"]
    assert not Notification.objects.filter(kind="admission_submitted").exists()


def test_a_task_asking_for_a_forbidden_certificate_is_refused_and_names_the_office(world):
    application = world.apply(title="为居民出具无犯罪记录证明")
    assert application.status == S.REFUSED
    assert application.reason_codes[0] == {"code": "forbidden_certificate", "severity": "refuse",
                                           "item": world.forbidden.pk, "item_name": "无犯罪记录",
                                           "list": world.forbidden_kind.name, "office": "公安派出所"}


def test_applying_late_is_flagged_with_the_working_days(world):
    application = world.apply(start_in=20)
    assert application.status == S.SUBMITTED and application.is_late
    late = [r for r in application.reason_codes if r["code"] == "late"][0]
    assert late["lead"] == application.lead_working_days < 30 and late["required"] == 30


def test_the_lead_time_is_a_setting(world, settings):
    settings.GONGZHI_ADMISSION_LEAD_WORKING_DAYS = 5
    assert not world.apply(start_in=20).is_late


# --- bad input: a clear message, nothing saved ---------------------------------------------------------------

def test_missing_funding_on_an_unlisted_task_is_refused_with_a_message(world):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        world.apply(funding_per_community_yuan=None, staff_per_community=None, purchase_of_service="")
    assert "funding_per_community_yuan" in exc.value.message_dict
    assert "purchase-of-service" in exc.value.message_dict["funding_per_community_yuan"][0]
    _nothing_saved()


def test_dates_in_the_wrong_order_are_refused(world):
    start = NOW.date() + datetime.timedelta(days=90)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        world.apply(period_start=start, period_end=start - datetime.timedelta(days=1))
    assert exc.value.message_dict["period_end"] == ["The end date is before the start date. 结束日期早于开始日期。"]
    _nothing_saved()


def test_even_a_draft_with_dates_in_the_wrong_order_is_not_saved(world):
    start = NOW.date() + datetime.timedelta(days=90)
    with pytest.raises(ValidationError):
        world.apply(submit=False, period_start=start, period_end=start - datetime.timedelta(days=3))
    _nothing_saved()


@pytest.mark.parametrize("which", ["missing", "other_district"])
def test_an_unknown_list_item_is_refused(world, other_world, which):
    item = 987654 if which == "missing" else other_world.assisting
    with pytest.raises(ValidationError) as exc:
        world.apply(cited_item=item)
    assert "cited_item" in exc.value.message_dict
    _nothing_saved()


def test_an_item_not_in_force_on_the_start_date_is_refused(world):
    start = NOW.date() + datetime.timedelta(days=90)
    expiring = make_item(world.assisting_kind, "协助开展老年人普查", valid_to=start - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        world.apply(cited_item=expiring)
    assert "cited_item" in exc.value.message_dict
    _nothing_saved()


def test_communities_of_another_district_are_refused(world, other_world):
    with pytest.raises(ValidationError) as exc:
        world.apply(communities=[world.communities[0], other_world.communities[0]])
    assert "communities" in exc.value.message_dict
    assert not Application.objects.filter(department=world.department).exists()


def test_no_community_blocks_the_submission_but_not_a_draft(world):
    with pytest.raises(ValidationError) as exc:
        svc.application_create(actor=world.handler, communities=[], submit=True, now=NOW, **world.data())
    assert "communities" in exc.value.message_dict
    _nothing_saved()
    draft = svc.application_create(actor=world.handler, communities=[], submit=False, now=NOW, **world.data())
    assert draft.status == S.DRAFT


def test_self_governance_work_cannot_be_assigned(world):
    with pytest.raises(ValidationError) as exc:
        world.apply(title="社区人民调解工作")
    assert "title" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        world.apply(cited_item=world.self_item)
    assert "cited_item" in exc.value.message_dict
    _nothing_saved()


def test_only_department_handlers_apply(world):
    for user in (world.official, world.community_staff, world.resident):
        with pytest.raises(PermissionDeniedError):
            world.apply(actor=user)
    _nothing_saved()


# --- review ----------------------------------------------------------------------------------------------------

def test_admitting_writes_the_ledger_of_each_community(world):
    application = world.apply(cited_item=world.assisting)
    svc.application_take_up(actor=world.official, application_id=application.pk)
    application = svc.application_decide(actor=world.official, application_id=application.pk, decision="admit",
                                         note="", now=NOW)
    assert application.status == S.ADMITTED and application.decided_by == world.official
    assert application.next_review_on == datetime.date(2026, 3, 3)
    rows = list(AdmittedTask.objects.filter(application=application).order_by("community__path"))
    assert [r.community for r in rows] == world.communities[:2]
    row = rows[0]
    assert (row.period_start, row.period_end) == (application.period_start, application.period_end)
    assert row.funding_yuan == Decimal("12000") and row.staff == Decimal("0.5")
    assert (row.forms_count, row.ledgers_count, row.meetings_count) == (1, 1, 1)
    assert row.reporting_dates[0] == "2025-06-30" and row.reporting_dates[-1] == application.period_end.isoformat()
    assert row.admitted_on == NOW.date() and row.status == "active"
    assert list(application.events.values_list("to_status", flat=True)) == [
        "draft", "submitted", "under_review", "admitted"]
    assert Notification.objects.filter(kind="admission_decided", recipient=world.handler).count() == 1
    assert Notification.objects.filter(kind="admission_ledger", recipient=world.community_staff).count() == 1
    assert not Notification.objects.filter(kind="admission_ledger", recipient=world.other_community_staff).exists()


def test_the_ledger_carries_the_cited_items_resources_when_the_application_gives_none(world):
    world.assisting.staff_attached = Decimal("0.5")
    world.assisting.save()
    application = world.admitted(cited_item=world.assisting, funding_per_community_yuan=None,
                                 staff_per_community=None)
    row = application.ledger_rows.first()
    assert (row.funding_yuan, row.staff) == (Decimal("20000"), Decimal("0.5"))
    own = world.admitted(cited_item=world.assisting, title="垃圾分类二期", funding_per_community_yuan=Decimal("900"))
    assert own.ledger_rows.first().funding_yuan == Decimal("900")


def test_admitting_twice_is_harmless(world):
    application = world.admitted()
    again = svc.application_decide(actor=world.official, application_id=application.pk, decision="admit", now=NOW)
    assert again.status == S.ADMITTED
    assert AdmittedTask.objects.filter(application=application).count() == 2
    assert application.events.filter(to_status="admitted").count() == 1


@pytest.mark.parametrize("decision,status", [("refuse", S.REFUSED), ("return", S.RETURNED)])
def test_refusing_or_returning_needs_reasons(world, decision, status):
    application = world.apply()
    with pytest.raises(ValidationError) as exc:
        svc.application_decide(actor=world.official, application_id=application.pk, decision=decision, note="  ")
    assert "note" in exc.value.message_dict
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    application = svc.application_decide(actor=world.official, application_id=application.pk, decision=decision,
                                         note="经费测算依据不足", now=NOW)
    assert application.status == status and application.decision_note == "经费测算依据不足"
    assert not AdmittedTask.objects.exists()
    note = Notification.objects.get(kind="admission_decided", recipient=world.handler)
    assert "经费测算依据不足" in note.body


def test_an_unknown_decision_is_refused(world):
    application = world.apply()
    with pytest.raises(ValidationError):
        svc.application_decide(actor=world.official, application_id=application.pk, decision="maybe")


def test_returned_application_is_edited_and_resubmitted(world):
    application = world.apply()
    svc.application_decide(actor=world.official, application_id=application.pk, decision="return",
                           note="请补充经费测算依据", now=NOW)
    later = NOW + datetime.timedelta(days=7)
    application = svc.application_update(actor=world.handler, application_id=application.pk,
                                         communities=world.communities[:3], submit=True, now=later,
                                         **world.data(funding_per_community_yuan=Decimal("15000")))
    assert application.status == S.SUBMITTED and application.submission_count == 2
    assert application.applied_at == later and application.review_due_at > later
    assert application.communities.count() == 3 and application.funding_per_community_yuan == Decimal("15000")
    assert application.events.filter(to_status="submitted", note__contains="重新提交").count() == 1
    assert Notification.objects.filter(kind="admission_submitted", recipient=world.official).count() == 2


def test_only_drafts_and_returned_applications_are_edited(world):
    application = world.apply()
    with pytest.raises(PermissionDeniedError):
        svc.application_update(actor=world.handler, application_id=application.pk, communities=world.communities[:1],
                               **world.data())


def test_submitting_a_draft_later(world):
    draft = world.apply(submit=False)
    application = svc.application_submit(actor=world.handler, application_id=draft.pk, now=NOW)
    assert application.status == S.SUBMITTED
    assert svc.application_submit(actor=world.handler, application_id=draft.pk, now=NOW).status == S.SUBMITTED
    assert application.events.filter(to_status="submitted").count() == 1


def test_submitting_a_draft_that_now_fails_the_rules_keeps_it_a_draft(world):
    draft = world.apply(submit=False, funding_per_community_yuan=None, staff_per_community=None)
    with pytest.raises(ValidationError):
        svc.application_submit(actor=world.handler, application_id=draft.pk, now=NOW)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and not draft.events.filter(to_status="submitted").exists()


def test_withdrawing(world):
    application = world.apply()
    application = svc.application_withdraw(actor=world.handler, application_id=application.pk, note="任务取消")
    assert application.status == S.WITHDRAWN
    with pytest.raises(InvalidTransition):
        svc.application_decide(actor=world.official, application_id=application.pk, decision="admit")


def test_revoking_takes_the_item_off_every_ledger(world):
    application = world.admitted()
    with pytest.raises(ValidationError):
        svc.application_revoke(actor=world.official, application_id=application.pk, note="")
    later = NOW + datetime.timedelta(days=100)
    application = svc.application_revoke(actor=world.official, application_id=application.pk,
                                         note="上级已取消该项工作", now=later)
    assert application.status == S.REVOKED and application.revoked_at == later
    assert set(AdmittedTask.objects.filter(application=application).values_list("status", "revoked_on")) == {
        ("revoked", later.date())}
    assert Notification.objects.filter(kind="admission_ledger", recipient=world.community_staff).count() == 2


def test_yearly_review_confirms_for_another_year_or_revokes(world):
    application = world.admitted()
    later = NOW + datetime.timedelta(days=370)
    application = svc.application_yearly_review(actor=world.official, application_id=application.pk,
                                                outcome="confirm", now=later)
    assert application.last_reviewed_on == later.date()
    assert application.next_review_on == datetime.date(2027, 3, 8)
    assert application.events.filter(kind="yearly_review").count() == 1
    with pytest.raises(ValidationError):
        svc.application_yearly_review(actor=world.official, application_id=application.pk, outcome="revoke", note="")
    application = svc.application_yearly_review(actor=world.official, application_id=application.pk,
                                                outcome="revoke", note="工作已结束", now=later)
    assert application.status == S.REVOKED


def test_a_refused_application_cannot_be_admitted(world):
    application = world.apply(title="安全生产执法检查")
    with pytest.raises(InvalidTransition):
        svc.application_decide(actor=world.official, application_id=application.pk, decision="admit")


# --- who may decide ------------------------------------------------------------------------------------------------

def test_denials_outside_the_jurisdiction_are_not_found(world, other_world):
    application = world.apply()
    for actor in (other_world.official, other_world.handler, world.other_handler, world.resident, world.grid_worker):
        with pytest.raises(NotFoundOrForbidden):
            svc.application_decide(actor=actor, application_id=application.pk, decision="admit")
    with pytest.raises(NotFoundOrForbidden):
        svc.application_withdraw(actor=world.other_handler, application_id=application.pk)
    with pytest.raises(NotFoundOrForbidden):
        svc.application_decide(actor=world.official, application_id=999999, decision="admit")


def test_staff_who_can_read_it_may_not_decide(world):
    application = world.apply()
    for actor in (world.street_staff, world.community_staff, world.handler):
        with pytest.raises(PermissionDeniedError):
            svc.application_decide(actor=actor, application_id=application.pk, decision="admit")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_draft_is_invisible_to_the_review_group(world):
    draft = world.apply(submit=False)
    with pytest.raises(NotFoundOrForbidden):
        svc.application_take_up(actor=world.official, application_id=draft.pk)


# --- the transition table -----------------------------------------------------------------------------------------

ALLOWED = {
    ("draft", "submitted"), ("draft", "withdrawn"),
    ("submitted", "under_review"), ("submitted", "admitted"), ("submitted", "refused"), ("submitted", "returned"),
    ("submitted", "withdrawn"),
    ("under_review", "admitted"), ("under_review", "refused"), ("under_review", "returned"),
    ("under_review", "withdrawn"),
    ("returned", "submitted"), ("returned", "withdrawn"),
    ("admitted", "revoked"),
}


@pytest.mark.parametrize("current", S.values)
@pytest.mark.parametrize("target", S.values)
def test_transition_table(current, target):
    from governance.lib.transitions import ensure_transition

    if (current, target) in ALLOWED:
        ensure_transition(table=Application.TRANSITIONS, current=current, target=target)
    else:
        with pytest.raises(InvalidTransition):
            ensure_transition(table=Application.TRANSITIONS, current=current, target=target)


def test_world_helper_builds_two_districts(db):
    World("110103")
    World("110104")
    assert Application.objects.count() == 0
