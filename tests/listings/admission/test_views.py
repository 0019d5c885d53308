"""The admission pages over HTTP, per role: what each sees, what each may do, 404 outside the jurisdiction, 403 for
the wrong role, and bad input answered with the form again (status 400, the input kept, nothing saved)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import AuditLog, Notification, Role
from listings.admission.models import Application, ExtraDemand, SentTask
from listings.admission.services import tasks as task_svc
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def form_data(world, *, action="submit", **overrides) -> dict:
    start = today() + datetime.timedelta(days=120)
    data = {
        "title": "背街小巷环境整治巡查", "content": "每周巡查一次", "legal_basis": "", "cited_item": "",
        "communities": [world.communities[0].pk, world.communities[1].pk],
        "period_start": start.isoformat(), "period_end": (start + datetime.timedelta(days=300)).isoformat(),
        "workload_hours_per_month": "6", "forms_count": "1", "ledgers_count": "1", "inspections_count": "0",
        "meetings_count": "0", "signboards_count": "0", "reporting_cycle": "quarterly",
        "funding_per_community_yuan": "10000", "staff_per_community": "", "purchase_of_service": "",
        "action": action,
    }
    data.update(overrides)
    return data


def live(world, **overrides):
    """An application submitted now (the pages use the real clock)."""
    return world.apply(now=timezone.now(), **overrides)


def live_admitted(world, **overrides):
    return world.admitted(now=timezone.now(), **overrides)


# --- access ----------------------------------------------------------------------------------------------------

PAGES = ["admission:application_list", "admission:application_create", "admission:community_tasks",
         "admission:task_send", "admission:burden", "admission:burden_export", "admission:extra_demand_create"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_the_login_page(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.GRID_WORKER, Role.SYSTEM_ADMIN, Role.AUDITOR])
def test_accounts_with_no_part_in_admission_get_404(world, client_for, role):
    region = {Role.RESIDENT: world.communities[0], Role.GRID_WORKER: world.tree.grids[0]}.get(role)
    client = client_for(make_user(role, region=region))
    application = live(world)
    for url in [reverse(n) for n in PAGES] + [reverse("admission:application_detail", args=[application.pk])]:
        assert client.get(url).status_code == 404, url


def test_wrong_role_gets_403_on_the_forms(world, client_for):
    for user, name in [(world.official, "admission:application_create"), (world.official, "admission:task_send"),
                       (world.community_staff, "admission:application_create"),
                       (world.handler, "admission:extra_demand_create"),
                       (world.street_staff, "admission:extra_demand_create")]:
        assert client_for(user).get(reverse(name)).status_code == 403, (user.role, name)
    assert client_for(world.handler).get(reverse("admission:burden")).status_code == 404


# --- department: apply ----------------------------------------------------------------------------------------

def test_the_form_shows_the_pre_check_before_submitting(world, client_for):
    client = client_for(world.handler)
    response = client.post(reverse("admission:application_create"),
                           form_data(world, action="check", title="餐饮门店安全生产执法检查"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="precheck"' in body and 'data-code="negative_list"' in body and "安全生产监管执法" in body
    assert 'value="餐饮门店安全生产执法检查"' in body  # the input is kept
    assert not Application.objects.exists()


def test_pre_check_of_an_assisting_item(world, client_for):
    response = client_for(world.handler).post(reverse("admission:application_create"), form_data(
        world, action="check", cited_item=world.assisting.pk, funding_per_community_yuan=""))
    assert 'data-code="assisting_item"' in response.content.decode()
    assert 'class="precheck precheck-fast_track"' in response.content.decode()


def test_submitting_creates_and_shows_the_application(world, client_for):
    client = client_for(world.handler)
    response = client.post(reverse("admission:application_create"), form_data(world))
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("admission:application_detail",
                                                                            args=[application.pk])
    assert application.status == "submitted" and application.applicant == world.handler
    page = client.get(response["Location"]).content.decode()
    assert 'id="timeline"' in page and "背街小巷环境整治巡查" in page and 'id="review-due"' in page


def test_saving_a_draft(world, client_for):
    response = client_for(world.handler).post(reverse("admission:application_create"),
                                              form_data(world, action="save", communities=[]))
    assert response.status_code == 302 and Application.objects.get().status == "draft"


def test_missing_funding_is_answered_with_the_form_and_nothing_saved(world, client_for):
    response = client_for(world.handler).post(reverse("admission:application_create"), form_data(
        world, funding_per_community_yuan="", title="社区空巢老人走访登记"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    body = response.content.decode()
    assert "purchase-of-service arrangement" in body and 'value="社区空巢老人走访登记"' in body
    assert not Application.objects.exists()


def test_dates_in_the_wrong_order_are_answered_with_the_form(world, client_for):
    start = today() + datetime.timedelta(days=60)
    response = client_for(world.handler).post(reverse("admission:application_create"), form_data(
        world, period_start=start.isoformat(), period_end=(start - datetime.timedelta(days=1)).isoformat()))
    assert response.status_code == 400 and "结束日期早于开始日期" in response.content.decode()
    assert not Application.objects.exists()


@pytest.mark.parametrize("field,value", [("cited_item", "999999"), ("communities", ["999999"]),
                                         ("period_start", "2025-02-30"), ("forms_count", "-1")])
def test_unknown_choices_and_bad_values_are_answered_with_the_form(world, other_world, client_for, field, value):
    response = client_for(world.handler).post(reverse("admission:application_create"),
                                              form_data(world, **{field: value}))
    assert response.status_code == 400
    assert not Application.objects.exists()


def test_an_item_of_another_district_is_not_offered(world, other_world, client_for):
    response = client_for(world.handler).post(reverse("admission:application_create"),
                                              form_data(world, cited_item=other_world.assisting.pk))
    assert response.status_code == 400 and "请从列表中选择" in response.content.decode()


def test_editing_a_returned_application_and_resubmitting(world, client_for):
    application = live(world)
    client_for(world.official).post(reverse("admission:application_action", args=[application.pk, "decide"]),
                                    {"decision": "return", "note": "请补充经费测算"})
    client = client_for(world.handler)
    url = reverse("admission:application_edit", args=[application.pk])
    assert 'value="背街小巷环境整治巡查"' in client.get(url).content.decode()
    response = client.post(url, form_data(world, funding_per_community_yuan="20000"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted" and application.submission_count == 2
    # Not editable any more: back to the page with a message.
    assert client.get(url).status_code == 302


def test_department_sees_only_its_own_applications(world, client_for):
    mine = live(world)
    theirs = live(world, actor=world.other_handler, title="住建局的申请")
    client = client_for(world.handler)
    body = client.get(reverse("admission:application_list")).content.decode()
    assert mine.title in body and "住建局的申请" not in body
    assert client.get(reverse("admission:application_detail", args=[theirs.pk])).status_code == 404


# --- review group ----------------------------------------------------------------------------------------------

def test_review_group_decides_from_the_page(world, client_for):
    application = live(world)
    draft = live(world, submit=False, title="草稿申请")
    client = client_for(world.official)
    listing = client.get(reverse("admission:application_list")).content.decode()
    assert application.title in listing and "草稿申请" not in listing
    assert client.get(reverse("admission:application_detail", args=[draft.pk])).status_code == 404
    detail = client.get(reverse("admission:application_detail", args=[application.pk])).content.decode()
    assert 'id="decision-form"' in detail
    url = reverse("admission:application_action", args=[application.pk, "decide"])
    response = client.post(url, {"decision": "refuse", "note": ""})
    assert response.status_code == 400 and "请填写理由" in response.content.decode()
    assert client.post(url, {"decision": "admit", "note": "同意"}).status_code == 302
    application.refresh_from_db()
    assert application.status == "admitted" and application.ledger_rows.count() == 2


def test_take_up_revoke_and_yearly_review_from_the_page(world, client_for):
    application = live(world)
    client = client_for(world.official)
    client.post(reverse("admission:application_action", args=[application.pk, "take_up"]))
    application.refresh_from_db()
    assert application.status == "under_review"
    client.post(reverse("admission:application_action", args=[application.pk, "decide"]), {"decision": "admit"})
    response = client.post(reverse("admission:application_action", args=[application.pk, "yearly_review"]),
                           {"outcome": "confirm", "note": ""})
    assert response.status_code == 302 and application.events.filter(kind="yearly_review").count() == 1
    assert client.post(reverse("admission:application_action", args=[application.pk, "revoke"]),
                       {"note": ""}).status_code == 400
    client.post(reverse("admission:application_action", args=[application.pk, "revoke"]), {"note": "撤销"})
    application.refresh_from_db()
    assert application.status == "revoked"


def test_the_review_group_filters_overdue_reviews(world, client_for):
    late = world.apply(now=timezone.now() - datetime.timedelta(days=40), title="逾期未审的申请")
    live(world, title="刚提交的申请")
    body = client_for(world.official).get(reverse("admission:application_list") + "?status=overdue").content.decode()
    assert late.title in body and "刚提交的申请" not in body and "badge-danger" in body


def test_decisions_outside_the_jurisdiction_or_role(world, other_world, client_for):
    application = live(world)
    url = reverse("admission:application_action", args=[application.pk, "decide"])
    assert client_for(other_world.official).post(url, {"decision": "admit"}).status_code == 404
    assert client_for(world.street_staff).post(url, {"decision": "admit"}).status_code == 403
    assert client_for(world.handler).post(url, {"decision": "admit"}).status_code == 403
    assert client_for(world.official).post(reverse("admission:application_action", args=[application.pk, "x"])
                                           ).status_code == 404
    application.refresh_from_db()
    assert application.status == "submitted"


def test_street_and_community_staff_read_applications_for_their_communities(world, client_for):
    application = live(world, communities=[world.communities[0]])
    elsewhere = live(world, communities=[world.communities[3]], title="别的街道")
    for user in (world.street_staff, world.community_staff):
        client = client_for(user)
        assert client.get(reverse("admission:application_detail", args=[application.pk])).status_code == 200
        assert client.get(reverse("admission:application_detail", args=[elsewhere.pk])).status_code == 404


# --- the community gate ----------------------------------------------------------------------------------------

def test_community_refuses_an_unadmitted_task_and_the_department_sees_it(world, client_for):
    [task] = task_svc.task_send(actor=world.handler, title="上报辖区餐馆油烟检查台账", content="每周报送",
                                communities=[world.communities[0]])
    community = client_for(world.community_staff)
    page = community.get(reverse("admission:community_tasks")).content.decode()
    assert f'id="task-{task.pk}"' in page and "not-admitted-mark" in page and "refuse-form" in page
    response = community.post(reverse("admission:task_refuse", args=[task.pk]), {"reason": "未经准入，社区拒绝"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "refused"
    department = client_for(world.handler).get(reverse("admission:community_tasks")).content.decode()
    assert f'data-refusal="{task.pk}"' in department and "未经准入，社区拒绝" in department
    assert Notification.objects.filter(kind="task_refused", recipient=world.handler).exists()


def test_refusing_without_a_reason_shows_the_form_again(world, client_for):
    [task] = task_svc.task_send(actor=world.handler, title="报送材料", content="x",
                                communities=[world.communities[0]])
    response = client_for(world.community_staff).post(reverse("admission:task_refuse", args=[task.pk]),
                                                      {"reason": ""})
    assert response.status_code == 400 and 'id="refuse-title"' in response.content.decode()
    task.refresh_from_db()
    assert task.state == "received"


def test_task_pages_outside_the_jurisdiction_are_404(world, other_world, client_for):
    [task] = task_svc.task_send(actor=world.handler, title="报送材料", content="x",
                                communities=[world.communities[0]])
    for user in (world.other_community_staff, other_world.official, world.other_handler):
        client = client_for(user)
        assert client.get(reverse("admission:task_detail", args=[task.pk])).status_code == 404
        assert client.post(reverse("admission:task_refuse", args=[task.pk]), {"reason": "x"}).status_code == 404
    assert client_for(world.street_staff).get(reverse("admission:task_detail", args=[task.pk])).status_code == 200
    assert client_for(world.street_staff).post(reverse("admission:task_refuse", args=[task.pk]),
                                               {"reason": "x"}).status_code == 403


def test_department_sends_a_task_from_the_page(world, client_for):
    application = live_admitted(world, start_in=-1)
    client = client_for(world.handler)
    assert client.get(reverse("admission:task_send") + f"?application={application.pk}").status_code == 200
    response = client.post(reverse("admission:task_send"), {
        "title": "垃圾分类月报", "content": "每月报送", "kind": "report", "application": application.pk,
        "communities": [world.communities[0].pk, world.communities[2].pk], "due_date": ""})
    assert response.status_code == 302
    assert list(SentTask.objects.order_by("community__path").values_list("is_admitted", flat=True)) == [True, False]
    bad = client.post(reverse("admission:task_send"), {"title": "", "content": "x", "kind": "work",
                                                       "communities": []})
    assert bad.status_code == 400 and SentTask.objects.count() == 2


def test_accept_and_done_from_the_page(world, client_for):
    [task] = task_svc.task_send(actor=world.handler, title="报送材料", content="x",
                                communities=[world.communities[0]])
    client = client_for(world.community_staff)
    client.post(reverse("admission:task_accept", args=[task.pk]), {"note": "好的"})
    client.post(reverse("admission:task_done", args=[task.pk]), {"note": ""})
    task.refresh_from_db()
    assert task.state == "done"
    response = client.post(reverse("admission:task_refuse", args=[task.pk]), {"reason": "x"})
    assert response.status_code == 302  # already answered: a message, nothing changes
    task.refresh_from_db()
    assert task.state == "done"


def test_ledger_and_checks_tabs(world, client_for):
    application = live_admitted(world, start_in=-1)
    client = client_for(world.community_staff)
    ledger = client.get(reverse("admission:community_tasks") + "?tab=ledger").content.decode()
    assert 'id="ledger-table"' in ledger and application.title in ledger
    next_report = [d for d in application.ledger_rows.first().reporting_dates if d >= today().isoformat()][0]
    assert next_report in ledger
    row = application.ledger_rows.get(community=world.communities[0])
    response = client.post(reverse("admission:extra_demand_create"), {
        "admitted_task": row.pk, "kind": "ranking", "occurred_on": today().isoformat(), "note": "评比"})
    assert response.status_code == 302 and ExtraDemand.objects.count() == 1
    checks = client.get(reverse("admission:community_tasks") + "?tab=checks").content.decode()
    assert 'id="checks-list"' in checks and "评比" in checks
    bad = client.post(reverse("admission:extra_demand_create"), {
        "admitted_task": row.pk, "kind": "ranking", "occurred_on": (today() + datetime.timedelta(days=2)).isoformat(),
        "note": "评比"})
    assert bad.status_code == 400 and ExtraDemand.objects.count() == 1


def test_district_filters_the_ledger_by_community(world, client_for):
    task_svc.task_send(actor=world.handler, title="发往一社区", content="x", communities=[world.communities[0]])
    task_svc.task_send(actor=world.handler, title="发往三社区", content="x", communities=[world.communities[2]])
    client = client_for(world.official)
    both = client.get(reverse("admission:community_tasks")).content.decode()
    assert "发往一社区" in both and "发往三社区" in both
    one = client.get(reverse("admission:community_tasks") + f"?community={world.communities[2].pk}").content.decode()
    assert "发往一社区" not in one and "发往三社区" in one


# --- burden ----------------------------------------------------------------------------------------------------

def test_burden_page_and_export(world, client_for):
    live_admitted(world, start_in=-1)
    task_svc.task_send(actor=world.handler, title="报送材料", content="x", communities=[world.communities[0]])
    client = client_for(world.street_staff)
    since = (today() - datetime.timedelta(days=10)).isoformat()
    page = client.get(reverse("admission:burden") + f"?since={since}")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="stock-tasks">2<' in body and 'id="flow-received">1<' in body and 'id="comparison-table"' in body
    assert world.communities[0].name in body and world.communities[2].name not in body
    export = client.get(reverse("admission:burden_export") + f"?since={since}")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in export["Content-Disposition"]
    assert AuditLog.objects.filter(action="export", object_type="admission.burden",
                                   user_id=world.street_staff.pk).count() == 1


def test_burden_filters_are_checked(world, client_for):
    client = client_for(world.official)
    response = client.get(reverse("admission:burden") + "?start=2025-06-01&end=2025-05-01")
    assert response.status_code == 400 and "结束日期早于开始日期" in response.content.decode()
    future = (today() + datetime.timedelta(days=3)).isoformat()
    assert client.get(reverse("admission:burden") + f"?since={future}").status_code == 400
    assert client.get(reverse("admission:burden_export") + f"?since={future}").status_code == 400
    outside = client_for(world.street_staff).get(reverse("admission:burden") + f"?community={world.communities[3].pk}")
    assert outside.status_code == 400  # not one of the street's communities
    assert not AuditLog.objects.filter(action="export").exists()
