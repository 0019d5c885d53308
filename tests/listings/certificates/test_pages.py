"""The certificate pages, per role: residents ask and see only their own requests; community staff record walk-ins,
search and export the register, and issue / refuse / revoke; street and district staff read their subtree;
everyone else gets 404. Bad input comes back as 400 with the message and what was typed; never a 500."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from governance.models import AuditLog, Role
from listings.certificates.models import Certificate, CertificateRequest, RequestStatus
from listings.certificates.services.requests import (
    certificate_issue,
    certificate_refuse,
    certificate_request_walk_in,
)
from tests.factories import DepartmentFactory, make_grid_worker, make_id_number, make_user

pytestmark = pytest.mark.django_db

REQUEST = reverse("certificates:request")
MINE = reverse("certificates:my_requests")
REGISTER = reverse("certificates:register")
EXPORT = reverse("certificates:register_export")
WALK_IN = reverse("certificates:walk_in")
SCRIPT = "<script>alert(1)</script>"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # pages follow the request's language (LocaleMiddleware), default zh-hans


def _html(response) -> str:
    return response.content.decode()


def _detail(pk):
    return reverse("certificates:request_detail", args=[pk])


def _form(lists, id_number, /, **overrides):
    data = {"item": lists.residence.pk, "purpose": "子女入学", "applicant_name": "王秀兰", "id_number": id_number,
            "phone": ""}
    data.update(overrides)
    return data


# --- the resident ---------------------------------------------------------------------------------------------------

def test_request_page_lists_the_community_certificates(lists, resident, client_for, community):
    html = _html(client_for(resident).get(REQUEST))
    assert community.name in html
    assert "居住证明" in html and "家庭经济困难情况证明" in html
    # The forbidden ones are listed too, with their office.
    assert "无犯罪记录证明" in html and "户籍所在地或居住地公安派出所" in html
    assert "亲属关系证明" in html and "区公安分局" in html  # no office given: the responsible department
    # Not in force, not a certificate, or another district's: not offered.
    for name in ("已废止的证明", "已到期的证明", "尚未施行的证明", "协助开展人口普查", "外区居住证明"):
        assert name not in html
    assert 'value="王秀兰"' in html  # the account's name is filled in


def test_sample_items_say_so(lists, resident, client_for):
    lists.hardship.is_sample = True
    lists.hardship.save()
    html = _html(client_for(resident).get(REQUEST, **EN))
    assert "家庭经济困难情况证明 (sample)" in html


def test_resident_asks_and_follows_the_request(lists, resident, client_for, id_number):
    client = client_for(resident)
    response = client.post(REQUEST, _form(lists, id_number))
    request = CertificateRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(request.pk)
    assert request.applicant == resident and request.status == RequestStatus.SUBMITTED
    html = _html(client.get(MINE))
    assert "居住证明" in html and _detail(request.pk) in html
    html = _html(client.get(_detail(request.pk)))
    assert "子女入学" in html and "王秀兰" in html
    assert 'class="cert-form issue-form"' not in html  # no staff actions for residents


def test_choosing_a_forbidden_certificate_shows_the_refusal_notice(lists, resident, client_for):
    client = client_for(resident)
    response = client.post(REQUEST, _form(lists, "", item=lists.no_record.pk))
    request = CertificateRequest.objects.get()
    assert request.status == RequestStatus.REFUSED and request.forbidden
    assert response["Location"] == reverse("certificates:refusal_notice", args=[request.pk])
    html = _html(client.get(response["Location"], **EN))
    assert "户籍所在地或居住地公安派出所" in html and 'id="notice-office"' in html
    assert "may not issue it" in html


@pytest.mark.parametrize(("overrides", "field"), [
    ({"item": "999999"}, "item"),
    ({"item": ""}, "item"),
    ({"id_number": "110105194912310021"}, "id_number"),
    ({"id_number": ""}, "id_number"),
    ({"applicant_name": ""}, "applicant_name"),
    ({"purpose": SCRIPT}, "purpose"),
    ({"applicant_name": SCRIPT}, "applicant_name"),
    ({"phone": "12"}, "phone"),
])
def test_bad_input_is_shown_with_what_was_typed(lists, resident, client_for, id_number, overrides, field):
    response = client_for(resident).post(REQUEST, _form(lists, id_number, **overrides))
    html = _html(response)
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in html
    assert SCRIPT not in html  # escaped, never executed
    if field != "purpose":
        assert "子女入学" in html  # typed values kept
    assert CertificateRequest.objects.count() == 0


def test_residents_see_only_their_own_requests(ask, other_resident, client_for):
    request = ask()
    client = client_for(other_resident)
    assert client.get(_detail(request.pk)).status_code == 404
    assert "居住证明" not in _html(client.get(MINE))
    assert client.get(reverse("certificates:pdf", args=[request.pk])).status_code == 404
    assert client.post(reverse("certificates:issue", args=[request.pk]), {"content": "x"}).status_code == 404


def test_resident_without_community_is_told_to_visit(lists, client_for):
    homeless = make_user(Role.RESIDENT, region=None)
    html = _html(client_for(homeless).get(REQUEST, **EN))
    assert 'id="no-community"' in html and "community office" in html


def test_anonymous_is_sent_to_login(db, client):
    for url in (REQUEST, MINE, REGISTER, WALK_IN, _detail(1)):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.DEPARTMENT_HANDLER, Role.SYSTEM_ADMIN, Role.AUDITOR])
def test_other_roles_find_nothing(tree, ask, client_for, role):
    request = ask()
    if role == Role.GRID_WORKER:
        user = make_grid_worker(tree.grids[0])
    elif role == Role.DEPARTMENT_HANDLER:
        user = make_user(role, department=DepartmentFactory(district=tree.district))
    else:
        user = make_user(role)
    client = client_for(user)
    for url in (REQUEST, MINE, REGISTER, EXPORT, WALK_IN, _detail(request.pk)):
        assert client.get(url).status_code == 404, url


def test_staff_do_not_use_the_resident_pages(staff, client_for):
    assert client_for(staff).get(REQUEST).status_code == 404
    assert client_for(staff).get(MINE).status_code == 404


# --- community staff --------------------------------------------------------------------------------------------------

def test_staff_issue_from_the_request_page(ask, staff, client_for):
    request = ask()
    client = client_for(staff)
    html = _html(client.get(_detail(request.pk)))
    assert 'class="cert-form issue-form"' in html and "王秀兰，" in html  # the draft starts with the name
    response = client.post(reverse("certificates:issue", args=[request.pk]),
                           {"content": "王秀兰系我社区居民，现居住于东湖小区3号楼。"})
    assert response.status_code == 302 and response["Location"] == _detail(request.pk)
    certificate = Certificate.objects.get()
    html = _html(client.get(_detail(request.pk)))
    assert certificate.serial in html and reverse("certificates:pdf", args=[request.pk]) in html


def test_issue_with_bad_content_keeps_the_page(ask, staff, client_for):
    request = ask()
    response = client_for(staff).post(reverse("certificates:issue", args=[request.pk]), {"content": SCRIPT})
    assert response.status_code == 400 and 'id="id_content_error"' in _html(response)
    assert Certificate.objects.count() == 0


def test_staff_refuse_and_the_resident_reads_why(ask, staff, resident, client_for):
    request = ask()
    response = client_for(staff).post(reverse("certificates:refuse", args=[request.pk]),
                                      {"refuse-reason": "经核实，申请人不在本社区居住。"})
    assert response.status_code == 302
    html = _html(client_for(resident).get(_detail(request.pk)))
    assert "经核实，申请人不在本社区居住。" in html
    notice = client_for(resident).get(reverse("certificates:refusal_notice", args=[request.pk]))
    assert notice.status_code == 200 and "经核实，申请人不在本社区居住。" in _html(notice)


def test_refuse_without_reason_is_400(ask, staff, client_for):
    request = ask()
    response = client_for(staff).post(reverse("certificates:refuse", args=[request.pk]), {"refuse-reason": ""})
    assert response.status_code == 400 and 'id="id_refuse-reason_error"' in _html(response)
    request.refresh_from_db()
    assert request.status == RequestStatus.SUBMITTED


def test_staff_revoke_from_the_request_page(issued, staff, client_for):
    response = client_for(staff).post(reverse("certificates:revoke", args=[issued.pk]),
                                      {"revoke-reason": "住址信息有误。"})
    assert response.status_code == 302
    assert Certificate.objects.get().revoked_at is not None


def test_wrong_state_action_is_a_message_not_a_500(ask, staff, client_for):
    request = ask()
    response = client_for(staff).post(reverse("certificates:revoke", args=[request.pk]), {"revoke-reason": "x"}, **EN)
    assert response.status_code == 400 and 'id="action-error"' in _html(response)
    assert "Only an issued certificate can be revoked." in _html(response)


def test_staff_of_another_community_get_404(ask, other_staff, neighbour_staff, client_for):
    request = ask()
    for outsider in (other_staff, neighbour_staff):
        client = client_for(outsider)
        assert client.get(_detail(request.pk)).status_code == 404
        assert client.post(reverse("certificates:issue", args=[request.pk]), {"content": "x"}).status_code == 404
        assert client.post(reverse("certificates:refuse", args=[request.pk]),
                           {"refuse-reason": "x"}).status_code == 404
    assert Certificate.objects.count() == 0


def test_street_and_district_read_but_may_not_act(ask, street, other_street, district_official, client_for):
    request = ask()
    for reader in (street, district_official):
        client = client_for(reader)
        assert client.get(_detail(request.pk)).status_code == 200
        assert "王秀兰" in _html(client.get(REGISTER))
        assert client.post(reverse("certificates:issue", args=[request.pk]), {"content": "x"}).status_code == 403
    assert client_for(other_street).get(_detail(request.pk)).status_code == 404
    assert "王秀兰" not in _html(client_for(other_street).get(REGISTER))


def test_walk_in_entry(lists, staff, client_for, id_number, community):
    client = client_for(staff)
    assert client.get(WALK_IN).status_code == 200
    response = client.post(WALK_IN, _form(lists, id_number, applicant_name="张桂芳", purpose="申领临时救助"))
    request = CertificateRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == _detail(request.pk)
    assert request.channel == "walk_in" and request.community == community and request.entered_by == staff
    response = client.post(WALK_IN, _form(lists, "bad", applicant_name="李四"))
    assert response.status_code == 400 and "李四" in _html(response)
    assert CertificateRequest.objects.count() == 1


def test_walk_in_for_a_forbidden_certificate_prints_the_notice(lists, staff, client_for):
    response = client_for(staff).post(WALK_IN, _form(lists, "", item=lists.no_record.pk, applicant_name="孙丽"))
    request = CertificateRequest.objects.get()
    assert request.status == RequestStatus.REFUSED and request.entered_by == staff
    assert response["Location"] == reverse("certificates:refusal_notice", args=[request.pk])
    html = _html(client_for(staff).get(response["Location"]))
    assert "户籍所在地或居住地公安派出所" in html and reverse("certificates:refusal_notice_pdf", args=[request.pk]) in html


def test_walk_in_is_for_community_staff_only(street, district_official, client_for):
    assert client_for(street).get(WALK_IN).status_code == 404
    assert client_for(district_official).get(WALK_IN).status_code == 404


def test_reveal_is_audited_and_only_for_the_community(ask, staff, street, client_for, id_number):
    request = ask()
    url = reverse("certificates:reveal", args=[request.pk])
    html = _html(client_for(staff).get(_detail(request.pk)))
    assert id_number not in html  # masked by default
    response = client_for(staff).post(url, {"field": "applicant_id_number"})
    assert response.status_code == 200 and id_number in _html(response)
    row = AuditLog.objects.get(action=AuditLog.Action.REVEAL)
    assert row.user_id == staff.pk and row.detail == {"field": "applicant_id_number"}
    street_page = _html(client_for(street).get(_detail(request.pk)))
    assert "reveal-form" not in street_page and id_number[-4:] in street_page  # masked, no button
    assert client_for(street).post(url, {"field": "applicant_id_number"}).status_code == 403
    assert client_for(staff).post(url, {"field": "purpose"}).status_code == 400
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count() == 1


# --- the register -----------------------------------------------------------------------------------------------------

@pytest.fixture
def register_rows(lists, staff, community, tree):
    """Four requests in the community: issued, refused, waiting, and one forbidden."""
    rows = {}
    for name, item, outcome in (("张桂芳", lists.residence, "issued"), ("李建国", lists.hardship, "refused"),
                                ("赵德胜", lists.residence, "waiting"), ("孙丽", lists.no_record, "forbidden")):
        request = certificate_request_walk_in(actor=staff, item=item.pk, purpose="办事", applicant_name=name,
                                              id_number=make_id_number())
        if outcome == "issued":
            certificate_issue(actor=staff, request_id=request.pk, content=f"{name}系我社区居民。")
        elif outcome == "refused":
            certificate_refuse(actor=staff, request_id=request.pk, reason="材料不全。")
        rows[name] = CertificateRequest.objects.get(pk=request.pk)
    return rows


def _names(response) -> set[str]:
    html = _html(response)
    return {name for name in ("张桂芳", "李建国", "赵德胜", "孙丽") if name in html}


def test_register_lists_and_searches(register_rows, staff, client_for):
    client = client_for(staff)
    assert _names(client.get(REGISTER)) == {"张桂芳", "李建国", "赵德胜", "孙丽"}
    serial = register_rows["张桂芳"].certificate.serial
    assert _names(client.get(REGISTER, {"q": serial.lower()})) == {"张桂芳"}
    assert _names(client.get(REGISTER, {"q": serial[:11]})) == {"张桂芳"}  # part of a serial
    assert _names(client.get(REGISTER, {"q": "李建"})) == {"李建国"}
    id_number = register_rows["赵德胜"].applicant_id_number
    assert _names(client.get(REGISTER, {"q": id_number})) == {"赵德胜"}
    assert _names(client.get(REGISTER, {"status": "refused"})) == {"李建国", "孙丽"}
    assert _names(client.get(REGISTER, {"item": register_rows["李建国"].item_id})) == {"李建国"}
    assert _names(client.get(REGISTER, {"channel": "online"})) == set()
    today = register_rows["张桂芳"].created_at.date().isoformat()
    assert len(_names(client.get(REGISTER, {"date_from": today, "date_to": today}))) == 4
    assert _names(client.get(REGISTER, {"date_from": "2099-01-01"})) == set()


def test_register_shows_masked_id_numbers(register_rows, staff, client_for):
    html = _html(client_for(staff).get(REGISTER))
    for request in register_rows.values():
        assert request.applicant_id_number not in html
        assert request.applicant_id_number[-4:] in html


def test_register_dates_in_the_wrong_order(register_rows, staff, client_for):
    response = client_for(staff).get(REGISTER, {"date_from": "2026-03-01", "date_to": "2026-02-01"}, **EN)
    assert response.status_code == 400
    assert "The end date is before the start date." in _html(response)
    assert _names(response) == set()
    response = client_for(staff).get(REGISTER, {"date_from": "not a date"})
    assert response.status_code == 400


def test_register_export_is_masked_filtered_and_audited(register_rows, staff, client_for):
    response = client_for(staff).get(EXPORT, {"status": "issued"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("证明编号", "社区", "证明事项", "申请人", "身份证号")
    assert len(rows) == 2
    serial, _community, item, applicant, id_number = rows[1][:5]
    issued = register_rows["张桂芳"]
    assert serial == issued.certificate.serial and item == "居住证明"
    assert applicant == "张**" and id_number != issued.applicant_id_number and "*" in id_number
    row = AuditLog.objects.get(action=AuditLog.Action.EXPORT, object_type="certificates.certificaterequest")
    assert row.user_id == staff.pk
    assert row.detail == {"register": "certificates", "rows": 1, "unmasked": False, "filters": {"status": "issued"}}


def test_export_cells_are_formula_safe(lists, staff, client_for):
    certificate_request_walk_in(actor=staff, item=lists.residence.pk, purpose="=HYPERLINK(\"http://x\")",
                                applicant_name="王五", id_number=make_id_number())
    sheet = load_workbook(io.BytesIO(client_for(staff).get(EXPORT).content)).active
    purposes = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert purposes == ["'=HYPERLINK(\"http://x\")"]


def test_export_with_an_invalid_search_goes_back(register_rows, staff, client_for):
    response = client_for(staff).get(EXPORT, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert response.status_code == 302 and response["Location"].startswith(REGISTER)
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT).exists()


def test_register_export_for_street_covers_the_subtree_only(register_rows, lists, street, other_street, client_for,
                                                            other_staff):
    certificate_request_walk_in(actor=other_staff, item=lists.residence.pk, purpose="办事", applicant_name="外街人",
                                id_number=make_id_number())
    sheet = load_workbook(io.BytesIO(client_for(street).get(EXPORT).content)).active
    assert sheet.max_row == 1 + 4
    sheet = load_workbook(io.BytesIO(client_for(other_street).get(EXPORT).content)).active
    assert sheet.max_row == 1 + 1


# --- query counts -----------------------------------------------------------------------------------------------------

def _add_requests(staff, lists, count):
    for index in range(count):
        request = certificate_request_walk_in(actor=staff, item=lists.residence.pk, purpose=f"用途{index}",
                                              applicant_name=f"居民{index}", id_number=make_id_number())
        if index % 2 == 0:
            certificate_issue(actor=staff, request_id=request.pk, content="系我社区居民。")


def test_register_query_count_is_flat(lists, staff, client_for, count_queries):
    client = client_for(staff)
    _add_requests(staff, lists, 2)
    client.get(REGISTER)
    few = count_queries(lambda: client.get(REGISTER))
    _add_requests(staff, lists, 20)
    many = count_queries(lambda: client.get(REGISTER))
    assert many == few


def test_my_requests_query_count_is_flat(lists, resident, staff, client_for, count_queries, id_number):
    from listings.certificates.services.requests import certificate_request_online

    client = client_for(resident)

    def add(count, start):
        for index in range(start, start + count):
            request = certificate_request_online(actor=resident, item=lists.residence.pk, purpose=f"用途{index}",
                                                 applicant_name="王秀兰", id_number=id_number)
            certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民。")

    add(2, 0)
    client.get(MINE)
    few = count_queries(lambda: client.get(MINE))
    add(15, 2)
    many = count_queries(lambda: client.get(MINE))
    assert many == few
