"""Every action of the case page, through HTTP: the service runs (status, event, rows), success redirects back to
the case with a message; bad input re-shows the form with the message and what was typed (400); an action not
possible now (409) or not the user's (403) is a clear message, never a 500; outside the scope is a 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from grids.models import (
    Assignment,
    ContactLog,
    ExtensionRequest,
    HandlingLevel,
    Incident,
    WhistleCall,
    WhistleSummons,
)
from grids.services.incidents import extension_request, incident_transition
from grids.services.whistle import whistle_blow
from tests.grids.cases.helpers import tr

pytestmark = pytest.mark.django_db
S = Incident.Status


def act(client, incident, action, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(reverse("grids:incident_action", args=[incident.pk, action]), data)


def done(response, incident):
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("grids:incident_detail", args=[incident.pk])
    incident.refresh_from_db()
    return incident


def page(response) -> str:
    return response.content.decode()


# --- the handler's everyday steps ------------------------------------------------------------------------------------
def test_a_grid_worker_signs_for_contacts_starts_and_answers(world, client_for):
    incident = world.incident("grid")
    client = client_for(world.grid_worker)
    assert done(act(client, incident, "sign_for"), incident).status == S.SIGNED
    assert Assignment.objects.get(incident=incident, role="lead").assignee == world.grid_worker
    followed = client.get(reverse("grids:incident_detail", args=[incident.pk]))
    assert tr("Signed for. Contact the requester and start handling.") in page(followed)

    done(act(client, incident, "contact", method="phone", reached="yes", note="已回电说明"), incident)
    log = ContactLog.objects.get(incident=incident)
    assert (log.by, log.method, log.reached, log.note) == (world.grid_worker, "phone", True, "已回电说明")
    assert incident.first_contact_at is not None

    assert done(act(client, incident, "start", note="已到现场"), incident).status == S.IN_HAND
    assert done(act(client, incident, "answer", answer="已清理楼道杂物。"), incident).status == S.ANSWERED
    assert incident.answer == "已清理楼道杂物。"
    assert list(incident.events.filter(kind="transition").values_list("to_status", "actor")) [-3:] == [
        (S.SIGNED, world.grid_worker.pk), (S.IN_HAND, world.grid_worker.pk), (S.ANSWERED, world.grid_worker.pk)]


def test_bad_input_keeps_what_was_typed(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    client = client_for(world.grid_worker)
    # Contact without a method: the form says so, the note typed is kept.
    response = act(client, incident, "contact", reached="yes", note="打了两次电话")
    assert response.status_code == 400
    html = page(response)
    assert tr("Choose how you contacted the requester. 请选择联系方式。") in html and "打了两次电话" in html
    assert 'id="action-contact"' in html
    # An empty answer: the service's message on the field.
    response = act(client, incident, "answer", answer="   ")
    assert response.status_code == 400 and tr("Write the result for the resident. 请填写办理结果。") in page(response)
    # Too long.
    response = act(client, incident, "answer", answer="长" * 4001)
    assert response.status_code == 400 and "field-invalid" in page(response)
    incident.refresh_from_db()
    assert incident.status == S.IN_HAND and not ContactLog.objects.exists()


def test_return_needs_a_reason_and_redispatches(world, client_for):
    incident = world.incident("grid")
    client = client_for(world.grid_worker)
    response = act(client, incident, "return", reason="")
    assert response.status_code == 400 and tr("A reason is required to return a case. 退单须填写理由。") in page(response)
    incident = done(act(client, incident, "return", reason="不属于网格职责"), incident)
    assert incident.status == S.RETURNED
    assert Assignment.objects.get(incident=incident, role="lead", state="returned").return_reason == "不属于网格职责"


def test_verify_pass_closes_and_fail_sends_back(world, client_for):
    passed = world.advance(world.incident("grid"), to=S.ANSWERED)
    failed = world.advance(world.incident("grid"), to=S.ANSWERED)
    client = client_for(world.community_staff)
    response = act(client, failed, "verify", passed="no", note="")
    assert response.status_code == 400 and tr("Say what must be redone. 请说明需返工的内容。") in page(response)
    response = act(client, failed, "verify", passed="maybe")
    assert response.status_code == 400 and tr("Choose one of the options offered. 请从给出的选项中选择。") in page(response)
    assert done(act(client, failed, "verify", passed="no", note="仍有杂物"), failed).status == S.IN_HAND
    assert failed.rework_count == 1
    assert done(act(client, passed, "verify", passed="yes", note="已核实"), passed).status == S.CLOSED


def test_close_a_verified_case(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.ANSWERED)
    incident_transition(incident_id=incident.pk, to=S.VERIFIED)  # left verified (e.g. an older workflow)
    assert done(act(client_for(world.community_staff), incident, "close", note="结案"), incident).status == S.CLOSED


# --- the dispatcher's steps ------------------------------------------------------------------------------------------
def test_register_a_reported_case(world, client_for):
    incident = world.incident("grid", dispatch=False)
    Incident.objects.filter(pk=incident.pk).update(status=S.REPORTED)  # e.g. an intake that failed to register
    incident = done(act(client_for(world.community_staff), incident, "register", note="符合立案条件"), incident)
    assert incident.status in (S.REGISTERED, S.DISPATCHED)
    assert incident.events.filter(to_status=S.REGISTERED, actor=world.community_staff).exists()


def test_dispatch_by_hand(world, client_for):
    incident = world.incident("grid", dispatch=False)
    street = client_for(world.street_staff)
    response = act(street, incident, "dispatch", unit="")
    assert response.status_code == 400 and tr("Choose a unit. 请选择单位。") in page(response)
    response = act(street, incident, "dispatch", unit=f"r{world.tree.grids[4].pk}")  # not offered: another street
    assert response.status_code == 400 and tr("Choose one of the options offered. 请从给出的选项中选择。") in page(response)
    # Community staff dispatch within the community: the street is not offered to them.
    community_form = page(client_for(world.community_staff).get(
        reverse("grids:incident_detail", args=[incident.pk])))
    assert f'value="r{world.street.pk}"' not in community_form and f'value="r{world.community.pk}"' in community_form
    incident = done(act(street, incident, "dispatch", unit=f"d{world.department.pk}", note="请城管处理"), incident)
    assert incident.status == S.DISPATCHED
    lead = Assignment.objects.get(incident=incident, role="lead", state="pending")
    assert lead.department == world.department and lead.level == HandlingLevel.DEPARTMENT


def test_reject_and_merge(world, client_for):
    client = client_for(world.community_staff)
    rejected = world.incident("grid")
    response = act(client, rejected, "reject", reason="")
    assert response.status_code == 400 and tr("Say why the case is not accepted. 请填写不予受理的理由。") in page(response)
    assert done(act(client, rejected, "reject", reason="不属受理范围"), rejected).status == S.REJECTED

    original, duplicate = world.incident("grid"), world.incident("grid", grid=world.sibling_grid)
    outside = world.incident("grid", grid=world.tree.grids[4])
    response = act(client, duplicate, "merge", duplicate_of=outside.tracking_code)
    assert response.status_code == 400 and tr(
        "No case with this tracking code in your jurisdiction. 您管辖范围内没有该编号的案件。") in page(response)
    response = act(client, duplicate, "merge", duplicate_of=duplicate.tracking_code)
    assert response.status_code == 400 and tr("A case cannot be a duplicate of itself. 不能与自身合并。") in page(response)
    duplicate = done(act(client, duplicate, "merge", duplicate_of=original.tracking_code.lower(), note="同一问题"),
                     duplicate)
    assert duplicate.status == S.MERGED and duplicate.duplicate_of == original


def test_whistle_and_report_in(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    community = client_for(world.community_staff)
    response = act(community, incident, "whistle", reason="需要执法")
    assert response.status_code == 400 and tr("Summon at least one department. 请至少选择一个部门。") in page(response)
    done(community.post(reverse("grids:incident_action", args=[incident.pk, "whistle"]), {
        "whistle-departments": [world.department.pk, world.other_department.pk], "whistle-reason": "需要联合执法"}),
        incident)
    assert set(WhistleSummons.objects.values_list("department", flat=True)) == {world.department.pk,
                                                                                world.other_department.pk}
    handler = client_for(world.handler)
    summons = WhistleSummons.objects.get(department=world.department)
    response = act(handler, incident, "report_in", summons=summons.pk, part="")
    assert response.status_code == 400 and tr("Say what your department will do. 请填写本部门承担的工作。") in page(response)
    other = WhistleSummons.objects.get(department=world.other_department)
    response = act(handler, incident, "report_in", summons=other.pk, part="试图替别的部门报到")
    assert response.status_code == 400  # not offered to this handler
    done(act(handler, incident, "report_in", summons=summons.pk, part="负责拆除"), incident)
    summons.refresh_from_db()
    assert summons.reported_by == world.handler and summons.part == "负责拆除"
    # Reported in: the action is gone for this handler.
    html = page(handler.get(reverse("grids:incident_detail", args=[incident.pk])))
    assert 'value="report_in"' not in html


def test_extension_request_and_decision(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    worker = client_for(world.grid_worker)
    response = act(worker, incident, "extension_request", new_handle_by="next week", reason="等待配合")
    assert response.status_code == 400
    assert tr("Enter a date and time, e.g. 2026-05-01 17:00. 请填写有效的日期和时间。") in page(response)
    assert "等待配合" in page(response)
    earlier = timezone.localtime(incident.handle_by - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = act(worker, incident, "extension_request", new_handle_by=earlier, reason="等待配合")
    assert response.status_code == 400 and tr(
        "The new deadline must be later than the current one. 新期限须晚于当前办理期限。") in page(response)
    later = timezone.localtime(incident.handle_by + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    done(act(worker, incident, "extension_request", new_handle_by=later, reason="等待配合"), incident)
    extension = ExtensionRequest.objects.get(incident=incident)

    community = client_for(world.community_staff)
    response = act(community, incident, "extension_decide", approved="no", note="")
    assert response.status_code == 400 and tr("Say why the extension is refused. 请填写不予延期的理由。") in page(response)
    done(act(community, incident, "extension_decide", approved="yes", note="同意"), incident)
    extension.refresh_from_db()
    assert extension.state == "approved" and incident.handle_by == extension.new_handle_by


def test_add_a_co_handler(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.SIGNED)
    worker = client_for(world.grid_worker)
    done(act(worker, incident, "add_co_handler", unit=f"d{world.other_department.pk}", note="需市场监管协助"),
         incident)
    co = Assignment.objects.get(incident=incident, role="co")
    assert co.department == world.other_department and co.state == "pending"
    response = act(worker, incident, "add_co_handler", unit="d999999")
    assert response.status_code == 400


# --- refusals --------------------------------------------------------------------------------------------------------
def test_an_action_not_possible_now_is_a_message_not_a_500(world, client_for):
    incident = world.incident("grid")  # DISPATCHED: not yet in hand
    response = act(client_for(world.grid_worker), incident, "answer", answer="已经处理好了，详细说明如下。")
    assert response.status_code == 409
    html = page(response)
    with translation.override("zh-hans"):
        label = S(S.DISPATCHED).label
    assert tr("This case is “%(status)s”; that action is not possible now. 案件当前状态不允许此操作。",
              status=label) in html and 'id="action-error"' in html
    # The text typed is shown so it is not lost, and the answer form is not offered.
    assert "已经处理好了，详细说明如下。" in html and 'value="answer"' not in html
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED and incident.answer == ""


def test_an_action_that_is_not_the_users_is_a_message(world, client_for):
    incident = world.incident("grid")
    response = act(client_for(world.community_staff), incident, "sign_for")
    assert response.status_code == 403 and tr("You may not do this on this case. 您无权对此案件执行该操作。") in page(response)
    response = act(client_for(world.district_official), incident, "extension_decide", approved="yes")
    assert response.status_code in (403, 409)
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED


def test_a_case_that_moved_on_meanwhile(world, client_for):
    incident = world.advance(world.incident("grid"), to=S.IN_HAND)
    extension_request(actor=world.grid_worker, incident_id=incident.pk, reason="等待",
                      new_handle_by=incident.handle_by + datetime.timedelta(days=1))
    client = client_for(world.community_staff)
    done(act(client, incident, "extension_decide", approved="yes"), incident)
    response = act(client, incident, "extension_decide", approved="yes")  # a second click
    assert response.status_code in (403, 409) and 'id="action-error"' in page(response)


def test_unknown_action_get_and_outside_scope(world, client_for):
    incident = world.incident("grid")
    client = client_for(world.grid_worker)
    assert client.post(reverse("grids:incident_action", args=[incident.pk, "explode"])).status_code == 404
    assert client.get(reverse("grids:incident_action", args=[incident.pk, "sign_for"])).status_code == 405
    assert act(client_for(world.sibling_grid_worker), incident, "sign_for").status_code == 404
    assert act(client_for(world.handler), incident, "sign_for").status_code == 404
    whistle_blow(actor=world.community_staff, incident_id=world.advance(world.incident("grid"), to=S.SIGNED).pk,
                 departments=[world.department], reason="协助")
    assert WhistleCall.objects.count() == 1
    incident.refresh_from_db()
    assert incident.status == S.DISPATCHED


def test_bad_input_for_an_action_no_longer_offered_still_explains(world, client_for):
    incident = world.incident("grid")  # not yet signed for: no contact possible
    response = act(client_for(world.grid_worker), incident, "contact", method="carrier pigeon", note="飞鸽传书")
    assert response.status_code == 400
    html = page(response)
    assert 'id="action-error"' in html and tr("That action is not possible on this case now. 该操作当前不可用。") in html
    assert "飞鸽传书" in html and 'value="contact"' not in html
