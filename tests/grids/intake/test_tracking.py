"""The public tracking page: what it shows, what it never shows, rating and reopening by the reporter only, and a
query count that does not grow with the timeline."""

import datetime
import re

import pytest
from django.utils import timezone

from governance.models import Role
from grids.models import Incident, IncidentEvent, IncidentStatus
from grids.services.intake import intake_staff_entry, intake_web_report
from grids.views.tracking import public_text
from tests.factories import DepartmentFactory, make_grid_worker, make_id_number, make_user
from tests.grids.intake.helpers import make_building

pytestmark = pytest.mark.django_db
S = IncidentStatus

NAME, PHONE = "王秀英", "13812345678"
ID_NUMBER = make_id_number()


@pytest.fixture
def case(tree, cats):
    building = make_building(tree.grids[0], name="幸福里3号楼", address="幸福路3号")
    return intake_web_report(data={
        "request_type": "help", "category": cats.lamp, "title": "3号楼门前路灯不亮",
        "description": f"路灯坏了一周。请回电{PHONE}或0755-83216543找{NAME}，身份证{ID_NUMBER}。",
        "grid": tree.grids[0], "building": building, "address": "幸福路3号东侧", "latitude": "22.543096",
        "longitude": "114.057865", "reporter_name": NAME, "reporter_phone": PHONE, "anonymous": False})


def _url(incident):
    return f"/track/{incident.tracking_code}/"


def _set(incident, **fields):
    Incident.objects.filter(pk=incident.pk).update(**fields)
    incident.refresh_from_db()
    return incident


def _close(incident, *, closed_days_ago=0, answer="已更换灯泡，路灯恢复照明。"):
    closed = timezone.now() - datetime.timedelta(days=closed_days_ago)
    return _set(incident, status=S.CLOSED, answer=answer, answered_at=closed, closed_at=closed,
                rate_by=closed + datetime.timedelta(days=7))


def _handler(tree, name="赵处理", username="zhaochuli"):
    department = DepartmentFactory(district=tree.district, name="城管执法大队")
    return make_user(Role.DEPARTMENT_HANDLER, department=department, full_name=name, username=username)


# --- what is shown, what is not -----------------------------------------------------------------------------------

def test_the_page_shows_progress_and_no_personal_data(client, tree, case):
    handler = _handler(tree)
    worker = make_grid_worker(tree.grids[0], full_name="钱网格", username="qianwangge")
    IncidentEvent.objects.create(incident=case, kind="transition", from_status=S.REGISTERED, to_status=S.DISPATCHED,
                                 actor=handler, note="城管执法大队", public=True)
    IncidentEvent.objects.create(incident=case, kind="contact", actor=worker, public=False,
                                 note=f"已电话联系{NAME} {PHONE}")
    IncidentEvent.objects.create(incident=case, kind="transition", from_status=S.DISPATCHED, to_status=S.SIGNED,
                                 actor=worker, public=True)

    response = client.get(_url(case))
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index("<main"):page.index("</main>")]
    # Shown: the status, category, title, community, the public steps with their units, the expected date.
    assert case.tracking_code in main and "路灯不亮" in main and "3号楼门前路灯不亮" in main
    assert "1-1社区" in main and "城管执法大队" in main
    assert main.count("<li>") >= 3  # reported, registered, dispatched, signed (public only)
    assert f'id="handle-by">{timezone.localtime(case.handle_by):%Y-%m-%d}' in main
    # Never shown: names, phones, ID numbers, accounts, the address, the building, the map point, private notes.
    for secret in (NAME, PHONE, ID_NUMBER, "0755-83216543", "赵处理", "zhaochuli", "钱网格", "qianwangge",
                   "幸福路3号", "幸福里3号楼", "22.543096", "114.057865", "已电话联系", "1-1-1网格"):
        assert secret not in page, secret
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", page)  # no 11-digit mobile number
    assert not re.search(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])", page)  # no 18-character ID number
    assert not re.search(r"(?<!\d)\d{15}(?!\d)", main)  # no 15-digit grid or old ID number
    # The reporter's own description is shown, with the numbers and the name inside it masked.
    assert "路灯坏了一周" in main and "138****5678" in main and "王**" in main
    assert 'name="robots" content="noindex"' in page
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_grid_workers_step_names_the_grid_level_not_the_person(client, tree, case):
    worker = make_grid_worker(tree.grids[0], full_name="孙某某")
    IncidentEvent.objects.create(incident=case, kind="transition", to_status=S.IN_HAND, actor=worker, public=True,
                                 note="已到现场查看")
    page = client.get(_url(case)).content.decode()
    assert "孙某某" not in page and "已到现场查看" in page
    assert re.search(r'class="step-unit">· (Grid|网格)<', page)


def test_answer_shown_when_answered_and_merge_notes_do_not_leak_other_codes(client, tree, cats, case):
    other = intake_web_report(data={"request_type": "help", "category": cats.lamp, "title": "别人的诉求",
                                    "description": "别人的描述", "grid": tree.grids[0], "reporter_phone": "13900000000"})
    _close(case)
    IncidentEvent.objects.create(incident=case, kind="transition", to_status=S.MERGED, public=True,
                                 note=f"Merged into {other.tracking_code}. 已合并至{other.tracking_code}。")
    page = client.get(_url(case)).content.decode()
    assert "已更换灯泡，路灯恢复照明。" in page
    assert other.tracking_code not in page and "GZ******" in page


def test_unknown_and_malformed_codes_get_the_lookup_form_with_404(client, case):
    for code in ("GZ000000AAAAAA", "nope", "'; drop table--", "X" * 41):
        response = client.get(f"/track/{code}/")
        assert response.status_code == 404
        page = response.content.decode()
        assert 'id="not-found"' in page and 'name="code"' in page


def test_the_lookup_form_goes_to_the_case_and_forgives_typing(client, case):
    assert client.get("/track/").status_code == 200
    response = client.get("/track/", {"code": f" {case.tracking_code.lower()} "})
    assert response.status_code == 302 and response["Location"] == _url(case)
    typed = case.tracking_code[:4] + "-" + case.tracking_code[4:].lower()
    assert client.get(f"/track/{typed}/")["Location"] == _url(case)
    assert client.get("/track/", {"code": ""}).status_code == 400


def test_guessing_codes_is_limited(client, case, settings):
    settings.GONGZHI_TRACK_MISS_RATE = "3/10m"
    for n in range(3):
        assert client.get(f"/track/GZ000000AAAAA{n}/").status_code == 404
    assert client.get(_url(case)).status_code == 429
    assert client.get(_url(case), REMOTE_ADDR="10.9.9.9").status_code == 200


# --- rating and reopening ---------------------------------------------------------------------------------------

def _rate(client, incident, tail="5678", resolution="resolved", satisfaction="satisfied", **extra):
    data = {"action": "rate", "rate-resolution": resolution, "rate-satisfaction": satisfaction,
            "rate-comment": "谢谢", "rate-phone_tail": tail}
    return client.post(_url(incident), data, **extra)


def test_no_rating_before_the_case_is_closed(client, case):
    page = client.get(_url(case)).content.decode()
    assert 'value="rate"' not in page
    response = _rate(client, case)
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == S.REGISTERED and case.rated_at is None


def test_rating_needs_the_last_four_digits_of_the_call_back_phone(client, case):
    _close(case)
    page = client.get(_url(case)).content.decode()
    assert 'value="rate"' in page and 'name="rate-phone_tail"' in page
    for wrong in ("1234", "", "56789", "abcd"):
        response = _rate(client, case, tail=wrong)
        assert response.status_code == 400
        assert "phone_tail" in response.context["rating_form"].errors
        assert 'value="谢谢"' in response.content.decode() or "谢谢" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.rated_at is None

    response = _rate(client, case, resolution="partly", satisfaction="basically")
    assert response.status_code == 302 and response["Location"] == _url(case)
    case.refresh_from_db()
    assert case.status == S.RATED and case.resolution == "partly" and case.satisfaction == "basically"
    page = client.get(_url(case)).content.decode()
    assert 'value="rate"' not in page and "partly/basically" not in page
    assert "谢谢" in page


def test_a_case_without_a_phone_is_rated_without_digits(client, tree, cats):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    walk_in = intake_staff_entry(actor=staff, channel="walk_in", data={
        "request_type": "help", "category": cats.lamp, "title": "路灯", "description": "路灯不亮",
        "grid": tree.grids[0]})
    _close(walk_in)
    assert 'name="rate-phone_tail"' not in client.get(_url(walk_in)).content.decode()
    assert _rate(client, walk_in, tail="").status_code == 302


def test_rating_is_refused_after_the_rating_window(client, case):
    _close(case, closed_days_ago=8)
    assert 'value="rate"' not in client.get(_url(case)).content.decode()
    assert _rate(client, case).status_code == 400
    case.refresh_from_db()
    assert case.status == S.CLOSED


def test_wrong_digits_lock_the_case_for_an_hour_whatever_the_address(client, case, settings):
    settings.GONGZHI_TRACK_TAIL_RATE = "3/h"
    _close(case)
    for n in range(3):
        assert _rate(client, case, tail="000" + str(n), REMOTE_ADDR=f"10.0.0.{n}").status_code == 400
    response = _rate(client, case, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429 and "一小时后再试" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.CLOSED


def _rated_unresolved(client, case, *, closed_days_ago=1):
    _close(case, closed_days_ago=closed_days_ago)
    _set(case, rate_by=timezone.now() + datetime.timedelta(days=1))
    assert _rate(client, case, resolution="unresolved", satisfaction="dissatisfied").status_code == 302
    case.refresh_from_db()
    return case


def test_an_unresolved_case_can_be_reopened_within_the_window(client, case):
    _rated_unresolved(client, case)
    page = client.get(_url(case)).content.decode()
    assert 'value="reopen"' in page
    response = client.post(_url(case), {"action": "reopen", "reopen-reason": "路灯又坏了", "reopen-phone_tail": "0000"})
    assert response.status_code == 400 and "phone_tail" in response.context["reopen_form"].errors
    response = client.post(_url(case), {"action": "reopen", "reopen-reason": "路灯又坏了", "reopen-phone_tail": "5678"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.REOPENED and case.reopen_count == 1


def test_no_reopening_after_the_window_or_when_resolved(client, case, settings):
    _rated_unresolved(client, case, closed_days_ago=settings.GONGZHI_REOPEN_WINDOW_DAYS + 1)
    assert 'value="reopen"' not in client.get(_url(case)).content.decode()
    response = client.post(_url(case), {"action": "reopen", "reopen-phone_tail": "5678"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == S.RATED

    _set(case, closed_at=timezone.now(), resolution="resolved")
    assert 'value="reopen"' not in client.get(_url(case)).content.decode()


# --- query count ----------------------------------------------------------------------------------------------------

def test_query_count_is_flat_as_the_timeline_grows(client, tree, case, count_queries):
    handlers = [_handler(tree, name=f"处理人{n}", username=f"handler{n}") for n in range(3)]
    worker = make_grid_worker(tree.grids[0])
    IncidentEvent.objects.create(incident=case, kind="transition", to_status=S.DISPATCHED, public=True,
                                 actor=handlers[0])
    url = _url(case)
    client.get(url)  # warm-up
    few = count_queries(lambda: client.get(url))
    for n in range(30):
        IncidentEvent.objects.create(incident=case, kind="transition", to_status=S.IN_HAND, public=True,
                                     actor=(handlers + [worker, None])[n % 5], note=f"第{n}步")
    many = count_queries(lambda: client.get(url))
    assert many == few
    assert client.get(url).content.decode().count('class="step-label"') == 33


# --- masking ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("电话13812345678", "电话138****5678"),
    ("电话 138-1234-5678 或 138 1234 5678", "电话 138****5678 或 138****5678"),
    ("座机010-62345678", "座机010-****5678"),
    ("身份证11010519491231002X号", "身份证1101**********002X号"),
    ("编号123456789012345", "编号1234*******2345"),
    ("3号楼2单元301室", "3号楼2单元301室"),
    ("2026年5月12日下午3点", "2026年5月12日下午3点"),
    ("联系王秀英", "联系王**"),
])
def test_public_text_masks_numbers_and_names(text, expected):
    assert public_text(text, names=["王秀英", "", "李"]) == expected
