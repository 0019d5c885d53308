"""The certificate services: asking online and at the office, issuing, refusing, revoking — the lists in force decide
what may be issued; bad input and wrong roles are refused with nothing saved."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.pii import blind_index
from governance.models import Notification, Role
from listings.certificates.models import (
    Certificate,
    CertificateRequest,
    CertificateRequestEvent,
    RequestChannel,
    RequestStatus,
)
from listings.certificates.services.requests import (
    certificate_issue,
    certificate_refuse,
    certificate_request_online,
    certificate_request_walk_in,
    certificate_revoke,
)
from listings.models import ListItem
from tests.factories import make_grid_worker, make_user

pytestmark = pytest.mark.django_db

S = RequestStatus
SCRIPT = "<script>alert(1)</script>"


def _events(request):
    return list(CertificateRequestEvent.objects.filter(request=request).order_by("id")
                .values_list("from_status", "to_status"))


# --- the state machine --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition_table(current, target):
    allowed = {(S.SUBMITTED, S.ISSUED), (S.SUBMITTED, S.REFUSED), (S.ISSUED, S.REVOKED)}
    assert (target in CertificateRequest.TRANSITIONS[current]) == ((current, target) in allowed)


# --- asking -------------------------------------------------------------------------------------------------------------

def test_resident_asks_online_for_their_community(ask, resident, community, staff, id_number):
    request = ask()
    assert request.status == S.SUBMITTED and request.channel == RequestChannel.ONLINE
    assert request.community == community  # the resident's account is bound to a grid of this community
    assert request.applicant == resident and request.entered_by is None
    assert request.applicant_id_number_hash == blind_index(id_number)
    assert _events(request) == [("", S.SUBMITTED)]
    # The community's staff are told.
    note = Notification.objects.get(recipient=staff)
    assert note.kind == "certificate_requested" and note.url == f"/certificates/requests/{request.pk}/"


def test_id_number_and_phone_are_encrypted_at_rest(ask, id_number):
    ask()
    with connection.cursor() as cursor:
        cursor.execute("SELECT applicant_id_number, applicant_phone FROM certificates_certificaterequest")
        raw_id, raw_phone = cursor.fetchone()
    assert raw_id.startswith("v1:") and id_number not in raw_id
    assert "13812345678" not in raw_phone
    assert CertificateRequest.objects.get().applicant_id_number == id_number


def test_staff_enter_a_walk_in_request_for_their_own_community(lists, staff, community, id_number):
    request = certificate_request_walk_in(actor=staff, item=lists.hardship.pk, purpose="申领临时救助",
                                          applicant_name="张桂芳", id_number=id_number)
    assert request.channel == RequestChannel.WALK_IN and request.community == community
    assert request.entered_by == staff and request.applicant is None
    assert Notification.objects.count() == 0  # staff entered it themselves


def test_walk_in_for_another_community_is_not_found(lists, staff, other_community, id_number):
    with pytest.raises(NotFoundOrForbidden):
        certificate_request_walk_in(actor=staff, item=lists.residence.pk, purpose="x", applicant_name="张三",
                                    id_number=id_number, community=other_community)
    assert CertificateRequest.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.DISTRICT_OFFICIAL, Role.RESIDENT, Role.DEPARTMENT_HANDLER])
def test_only_community_staff_enter_walk_ins(tree, lists, role, id_number):
    region = {Role.STREET_STAFF: tree.streets[0], Role.DISTRICT_OFFICIAL: tree.district,
              Role.RESIDENT: tree.grids[0]}.get(role)
    department = None
    if role == Role.DEPARTMENT_HANDLER:
        from tests.factories import DepartmentFactory

        department = DepartmentFactory(district=tree.district)
    user = make_user(role, region=region, department=department)
    with pytest.raises(PermissionDeniedError):
        certificate_request_walk_in(actor=user, item=lists.residence.pk, purpose="x", applicant_name="张三",
                                    id_number=id_number)


def test_only_residents_ask_online(lists, staff, id_number):
    with pytest.raises(PermissionDeniedError):
        certificate_request_online(actor=staff, item=lists.residence.pk, purpose="x", applicant_name="张三",
                                   id_number=id_number)


def test_a_resident_without_a_community_is_told_to_visit_the_office(lists, id_number):
    homeless = make_user(Role.RESIDENT, region=None)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        certificate_request_online(actor=homeless, item=lists.residence.pk, purpose="x", applicant_name="张三",
                                   id_number=id_number)
    assert "not linked to a community" in str(exc.value)
    assert CertificateRequest.objects.count() == 0


def test_forbidden_certificate_is_kept_as_refused_naming_the_office(ask, lists, staff):
    request = ask(item=lists.no_record.pk, id_number="")  # no ID number needed to be told where to go
    assert request.status == S.REFUSED and request.forbidden
    assert request.other_office == "户籍所在地或居住地公安派出所"
    assert "无犯罪记录证明" in request.refusal_reason and "户籍所在地或居住地公安派出所" in request.refusal_reason
    assert request.decided_at is not None and request.decided_by is None
    assert _events(request) == [("", S.SUBMITTED), (S.SUBMITTED, S.REFUSED)]
    assert Notification.objects.filter(recipient=staff).count() == 0  # nothing for staff to do
    # ... and it can never be issued.
    with pytest.raises(InvalidTransition):
        certificate_issue(actor=staff, request_id=request.pk, content="x")
    assert Certificate.objects.count() == 0


def test_forbidden_item_without_issuing_office_names_the_responsible_department(ask, lists):
    request = ask(item=lists.kinship.pk)
    assert request.status == S.REFUSED and request.other_office == "区公安分局"


@pytest.mark.parametrize("which", ["repealed", "expired", "future", "assisting", "foreign"])
def test_items_not_on_a_certificate_list_in_force_are_refused_as_input(ask, lists, which):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ask(item=getattr(lists, which).pk)
    assert "certificate from the list" in exc.value.message_dict["item"][0]
    assert CertificateRequest.objects.count() == 0


@pytest.mark.parametrize(("overrides", "field"), [
    ({"item": 999999}, "item"),                                      # unknown item
    ({"item": "abc"}, "item"),
    ({"item": None}, "item"),
    ({"id_number": "110105194912310021"}, "id_number"),              # wrong check digit
    ({"id_number": ""}, "id_number"),                                # needed for a certificate
    ({"id_number": SCRIPT}, "id_number"),
    ({"applicant_name": ""}, "applicant_name"),
    ({"applicant_name": "   "}, "applicant_name"),
    ({"applicant_name": SCRIPT}, "applicant_name"),
    ({"applicant_name": "名" * 65}, "applicant_name"),
    ({"purpose": ""}, "purpose"),
    ({"purpose": f"入学{SCRIPT}"}, "purpose"),
    ({"purpose": "用" * 201}, "purpose"),
    ({"phone": "1234"}, "phone"),
])
def test_bad_input_names_the_field_and_saves_nothing(ask, overrides, field):
    with pytest.raises(ValidationError) as exc:
        ask(**overrides)
    assert field in exc.value.message_dict
    message = exc.value.message_dict[field][0]
    assert re.search(r"[\u4e00-\u9fff]", message), "messages are bilingual"
    assert CertificateRequest.objects.count() == 0
    assert CertificateRequestEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_script_tags_get_a_plain_text_message(ask):
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        ask(purpose=SCRIPT)
    assert exc.value.message_dict["purpose"] == [
        "Write plain text only, without the characters < and >. 请只填写文字，不要包含“<”“>”符号。"]


def test_all_problems_are_reported_at_once(ask):
    with pytest.raises(ValidationError) as exc:
        ask(item=None, purpose="", applicant_name="", id_number="123")
    assert set(exc.value.message_dict) == {"item", "purpose", "applicant_name", "id_number"}


def test_asking_twice_for_the_same_certificate_while_waiting_is_refused(ask):
    ask()
    with pytest.raises(ValidationError) as exc:
        ask()
    assert "item" in exc.value.message_dict
    assert CertificateRequest.objects.count() == 1


# --- issuing ------------------------------------------------------------------------------------------------------------

def test_staff_issue_a_certificate(ask, staff, resident, community, settings):
    settings.GONGZHI_CERTIFICATE_VALID_DAYS = 90
    request = ask()
    now = timezone.now()
    request = certificate_issue(actor=staff, request_id=request.pk, content="  王秀兰系我社区居民。 ", now=now)
    certificate = request.certificate
    today = timezone.localdate(now)
    assert request.status == S.ISSUED and request.decided_by == staff
    assert certificate.content == "王秀兰系我社区居民。"
    assert certificate.issued_on == today and certificate.valid_until == today + datetime.timedelta(days=90)
    assert certificate.title == "居住证明" and certificate.holder_name == "王秀兰"
    assert certificate.community == community and certificate.community_name == community.name
    assert certificate.issued_by == staff
    assert re.fullmatch(rf"110101-{today.year}-000001-[0-9A-HJKMNP-TV-Z]{{6}}", certificate.serial)
    assert _events(request) == [("", S.SUBMITTED), (S.SUBMITTED, S.ISSUED)]
    assert Notification.objects.filter(recipient=resident, kind="certificate_issued").count() == 1


def test_serials_count_up_per_district_and_year_with_random_tails(ask, staff, lists, id_number):
    serials = []
    for index in range(3):
        request = certificate_request_walk_in(actor=staff, item=lists.residence.pk, purpose=f"用途{index}",
                                              applicant_name="张三", id_number=id_number)
        serials.append(certificate_issue(actor=staff, request_id=request.pk, content="张三系本社区居民。")
                       .certificate.serial)
    assert [s.split("-")[2] for s in serials] == ["000001", "000002", "000003"]
    assert len({s.split("-")[3] for s in serials}) == 3


def test_issuing_twice_is_harmless(ask, staff):
    request = ask()
    first = certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民。")
    again = certificate_issue(actor=staff, request_id=request.pk, content="别的内容")
    assert again.certificate.serial == first.certificate.serial
    assert Certificate.objects.count() == 1
    assert CertificateRequestEvent.objects.filter(to_status=S.ISSUED).count() == 1


@pytest.mark.parametrize("status", [ListItem.Status.REPEALED, ListItem.Status.SUSPENDED])
def test_an_item_taken_off_the_list_after_the_request_can_no_longer_be_issued(ask, staff, lists, status):
    request = ask()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)  # its last day in force
    ListItem.objects.filter(pk=lists.residence.pk).update(status=status, valid_to=yesterday)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民。")
    assert "not on the certificate list in force today" in str(exc.value)
    request.refresh_from_db()
    assert request.status == S.SUBMITTED and Certificate.objects.count() == 0


def test_an_item_whose_validity_ended_before_the_day_of_issue_cannot_be_issued(ask, staff, lists):
    today = timezone.localdate()
    request = ask()
    ListItem.objects.filter(pk=lists.residence.pk).update(valid_to=today)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民。", now=tomorrow)
    issued = certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民。")  # still today
    assert issued.status == S.ISSUED


@pytest.mark.parametrize("content", ["", "   ", SCRIPT, "证" * 2001])
def test_issuing_needs_a_plain_certified_fact(ask, staff, content):
    request = ask()
    with pytest.raises(ValidationError) as exc:
        certificate_issue(actor=staff, request_id=request.pk, content=content)
    assert "content" in exc.value.message_dict
    assert Certificate.objects.count() == 0
    request.refresh_from_db()
    assert request.status == S.SUBMITTED


def test_staff_of_another_community_cannot_find_the_request(ask, other_staff, neighbour_staff):
    request = ask()
    for outsider in (other_staff, neighbour_staff):
        with pytest.raises(NotFoundOrForbidden):
            certificate_issue(actor=outsider, request_id=request.pk, content="x")
        with pytest.raises(NotFoundOrForbidden):
            certificate_refuse(actor=outsider, request_id=request.pk, reason="x")
    assert Certificate.objects.count() == 0


def test_street_and_district_read_but_do_not_issue(tree, ask, street, district_official, resident, other_resident):
    request = ask()
    for reader in (street, district_official, resident):
        with pytest.raises(PermissionDeniedError):
            certificate_issue(actor=reader, request_id=request.pk, content="x")
    with pytest.raises(NotFoundOrForbidden):  # another resident does not even see it
        certificate_issue(actor=other_resident, request_id=request.pk, content="x")
    grid_worker = make_grid_worker(tree.grids[0])  # a grid of the request's community
    with pytest.raises(NotFoundOrForbidden):
        certificate_issue(actor=grid_worker, request_id=request.pk, content="x")


def test_unknown_request_is_not_found(staff):
    with pytest.raises(NotFoundOrForbidden):
        certificate_issue(actor=staff, request_id=987654, content="x")


# --- refusing and revoking --------------------------------------------------------------------------------------------

def test_staff_refuse_with_a_reason(ask, staff, resident):
    request = certificate_refuse(actor=staff, request_id=ask().pk, reason="经核实，申请人不在本社区居住。")
    assert request.status == S.REFUSED and request.refusal_reason == "经核实，申请人不在本社区居住。"
    assert not request.forbidden and request.decided_by == staff
    assert _events(request)[-1] == (S.SUBMITTED, S.REFUSED)
    assert Notification.objects.filter(recipient=resident, kind="certificate_refused").count() == 1


@pytest.mark.parametrize("reason", ["", SCRIPT])
def test_refusing_needs_a_plain_reason(ask, staff, reason):
    request = ask()
    with pytest.raises(ValidationError) as exc:
        certificate_refuse(actor=staff, request_id=request.pk, reason=reason)
    assert "reason" in exc.value.message_dict
    request.refresh_from_db()
    assert request.status == S.SUBMITTED


def test_revoking_an_issued_certificate(issued, staff, resident):
    request = certificate_revoke(actor=staff, request_id=issued.pk, reason="住址信息有误。")
    certificate = Certificate.objects.get(request=request)
    assert request.status == S.REVOKED
    assert certificate.revoked_at is not None and certificate.revoked_by == staff
    assert certificate.revocation_reason == "住址信息有误。"
    assert certificate.state_on(timezone.localdate()) == Certificate.State.REVOKED
    assert _events(request)[-1] == (S.ISSUED, S.REVOKED)
    assert Notification.objects.filter(recipient=resident, kind="certificate_revoked").count() == 1
    # Repeated: harmless.
    certificate_revoke(actor=staff, request_id=issued.pk, reason="again")
    assert CertificateRequestEvent.objects.filter(to_status=S.REVOKED).count() == 1


def test_revoking_needs_a_reason_and_an_issued_certificate(issued, ask, staff, lists):
    with pytest.raises(ValidationError):
        certificate_revoke(actor=staff, request_id=issued.pk, reason="")
    assert Certificate.objects.get().revoked_at is None
    waiting = ask(item=lists.hardship.pk)
    with translation.override("en"), pytest.raises(InvalidTransition) as exc:
        certificate_revoke(actor=staff, request_id=waiting.pk, reason="x")
    assert exc.value.message.startswith("Only an issued certificate can be revoked.")
    refused = certificate_refuse(actor=staff, request_id=waiting.pk, reason="不符合条件。")
    with pytest.raises(InvalidTransition):
        certificate_issue(actor=staff, request_id=refused.pk, content="x")


def test_other_community_staff_cannot_revoke(issued, other_staff, street):
    with pytest.raises(NotFoundOrForbidden):
        certificate_revoke(actor=other_staff, request_id=issued.pk, reason="x")
    with pytest.raises(PermissionDeniedError):
        certificate_revoke(actor=street, request_id=issued.pk, reason="x")
    assert Certificate.objects.get().revoked_at is None


def test_certificate_state_by_date(issued):
    certificate = issued.certificate
    assert certificate.state_on(certificate.valid_until) == Certificate.State.VALID
    assert certificate.state_on(certificate.valid_until + datetime.timedelta(days=1)) == Certificate.State.EXPIRED
