"""GET requests (list with the spec's filters, one request, tokens): fields, mapping of our states, the lead unit,
the deadline, privacy, and a flat query count."""

import datetime

import pytest
from django.utils import timezone

from grids.models import Assignment, Incident, IncidentEvent, IncidentStatus
from tests.grids.open311.helpers import BASE, FORMATS, body, days_ago, errors_of, make_incident, xml_root

pytestmark = pytest.mark.django_db

FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
          "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
          "address", "address_id", "zipcode", "lat", "long", "media_url"]


def ids(response, fmt="json") -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [item["service_request_id"] for item in body(response, fmt)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_request_fields(client, world, fmt):
    handle_by = timezone.now() + datetime.timedelta(days=3)
    incident = make_incident(world, handle_by=handle_by, lead=world.department)

    (item,) = body(client.get(f"{BASE}/requests/{incident.tracking_code}.{fmt}"), fmt)

    assert list(item) == FIELDS
    assert item["service_request_id"] == incident.tracking_code
    assert item["status"] == "open"
    assert item["service_name"] == "路灯不亮" and item["service_code"] == "01001001"
    assert item["description"] == "小区门口路灯坏了"
    assert item["agency_responsible"] == "区城市管理委员会"                  # the lead unit
    assert item["expected_datetime"] == timezone.localtime(handle_by).isoformat(timespec="seconds")
    assert item["expected_datetime"].endswith("+08:00")                    # W3C with the offset
    assert datetime.datetime.fromisoformat(item["requested_datetime"]) == incident.created_at.replace(microsecond=0)
    assert datetime.datetime.fromisoformat(item["updated_datetime"]).tzinfo is not None
    assert item["address"] == "幸福路1号"
    assert item["address_id"] == world.grids[0].code
    assert item["zipcode"] == "" and item["media_url"] == ""
    assert float(item["lat"]) == 39.905 and float(item["long"]) == 116.305
    assert item["service_notice"]


def test_xml_element_names(client, world):
    make_incident(world)
    make_incident(world, latitude=None, longitude=None)

    root = xml_root(client.get(f"{BASE}/requests.xml").content)

    assert root.tag == "service_requests"
    assert [c.tag for c in root] == ["request", "request"]
    for request in root:
        assert [c.tag for c in request] == FIELDS
    assert root[0].findtext("lat") == ""            # the newest has no point: an empty element


def test_json_missing_values_are_null(client, world):
    make_incident(world, latitude=None, longitude=None)
    (item,) = client.get(f"{BASE}/requests.json").json()
    assert item["lat"] is None and item["long"] is None and item["expected_datetime"] is None


@pytest.mark.parametrize("status", IncidentStatus.values)
def test_status_is_open_or_closed(client, world, status):
    incident = make_incident(world, status=status)
    (item,) = client.get(f"{BASE}/requests/{incident.tracking_code}.json").json()

    closed = status in ("closed", "rated", "rejected", "merged")
    assert item["status"] == ("closed" if closed else "open")
    assert item["status_notes"] == str(IncidentStatus(status).label)     # the detailed state, in words
    assert (item["service_notice"] == "") == closed


def test_status_notes_carry_the_public_answer_and_the_rejection_reason(client, world):
    answered = make_incident(world, status="closed", answer="已更换灯泡。")
    rejected = make_incident(world, status="rejected")
    IncidentEvent.objects.create(incident=rejected, from_status="reported", to_status="rejected",
                                 note="不属于本平台受理范围。", public=True)
    IncidentEvent.objects.create(incident=rejected, kind="note", note="内部备注：不要公开", public=False)
    original = make_incident(world)
    merged = make_incident(world, status="merged", duplicate_of=original)

    notes = {i["service_request_id"]: i["status_notes"] for i in client.get(f"{BASE}/requests.json").json()}

    assert notes[answered.tracking_code].endswith("已更换灯泡。")
    assert notes[rejected.tracking_code].endswith("不属于本平台受理范围。")
    assert "内部备注" not in str(notes)
    assert original.tracking_code in notes[merged.tracking_code]


def test_agency_is_the_active_lead_unit(client, world):
    by_region = make_incident(world, lead=world.tree.streets[0])
    handed_back = make_incident(world)
    Assignment.objects.create(incident=handed_back, role="lead", level="department", department=world.department,
                              state=Assignment.State.RETURNED)
    co_only = make_incident(world)
    Assignment.objects.create(incident=co_only, role="co", level="department", department=world.department)

    agency = {i["service_request_id"]: i["agency_responsible"] for i in client.get(f"{BASE}/requests.json").json()}

    assert agency[by_region.tracking_code] == world.tree.streets[0].name
    assert agency[handed_back.tracking_code] == ""        # a returned dispatch is nobody's any more
    assert agency[co_only.tracking_code] == ""            # a co-handler is not the agency responsible


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_personal_data_in_any_answer(client, world, fmt):
    incident = make_incident(world, reporter_name="欧阳娜娜", reporter_phone="13812345678", anonymous=False,
                             description="我是欧阳娜娜，电话13812345678，身份证110101199003078515，家里停水。",
                             answer="已电话联系欧阳娜娜（010-62345678）。", status="closed")

    responses = [client.get(f"{BASE}/requests.{fmt}"), client.get(f"{BASE}/requests/{incident.tracking_code}.{fmt}"),
                 client.get(f"{BASE}/requests.{fmt}?service_request_id={incident.tracking_code}")]

    for response in responses:
        text = response.content.decode()
        assert response.status_code == 200
        for secret in ("欧阳娜娜", "13812345678", "110101199003078515", "62345678"):
            assert secret not in text, (secret, text)
        assert "欧***" in text and "138****5678" in text      # masked, so the sense survives


def test_a_tip_off_keeps_its_content_and_place_confidential(client, world):
    tip = make_incident(world, request_type="report", description="301室违章搭建", address="幸福路1号301室")

    (item,) = client.get(f"{BASE}/requests/{tip.tracking_code}.json").json()

    assert item["description"] == "" and item["address"] == ""
    assert item["lat"] is None and item["long"] is None
    assert item["status"] == "open" and item["service_code"] == "01001001"


# --- filters ----------------------------------------------------------------------------------------

def test_default_window_is_the_last_90_days_newest_first(client, world):
    recent = make_incident(world, created_at=days_ago(1))
    older = make_incident(world, created_at=days_ago(80))
    make_incident(world, created_at=days_ago(91))

    assert ids(client.get(f"{BASE}/requests.json")) == [recent.tracking_code, older.tracking_code]


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_code_filter(client, world, fmt):
    light = make_incident(world)
    manhole = make_incident(world, category=world.manhole)
    make_incident(world, category=world.hydrant)

    assert ids(client.get(f"{BASE}/requests.{fmt}?service_code=01001001"), fmt) == [light.tracking_code]
    assert set(ids(client.get(f"{BASE}/requests.{fmt}?service_code=01001001,01001002"), fmt)) == {
        light.tracking_code, manhole.tracking_code}
    assert ids(client.get(f"{BASE}/requests.{fmt}?service_code=99"), fmt) == []


def test_status_filter(client, world):
    open_ = make_incident(world, status="in_hand")
    closed = make_incident(world, status="closed")
    rejected = make_incident(world, status="rejected")

    assert ids(client.get(f"{BASE}/requests.json?status=open")) == [open_.tracking_code]
    assert set(ids(client.get(f"{BASE}/requests.json?status=closed"))) == {closed.tracking_code, rejected.tracking_code}
    assert len(ids(client.get(f"{BASE}/requests.json?status=open,closed"))) == 3
    assert len(ids(client.get(f"{BASE}/requests.json?status="))) == 3          # empty = not given


def test_date_window(client, world):
    jan = make_incident(world, created_at=datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC))
    feb = make_incident(world, created_at=datetime.datetime(2026, 2, 15, 12, tzinfo=datetime.UTC))
    make_incident(world, created_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC))

    url = f"{BASE}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-01-31T23:59:59Z"
    assert ids(client.get(url)) == [jan.tracking_code]
    # Offsets, an unencoded "+" (arrives as a space), a start alone (90 days on), date-only values.
    assert ids(client.get(f"{BASE}/requests.json?start_date=2026-02-01T00:00:00%2B08:00")) == [feb.tracking_code]
    assert ids(client.get(f"{BASE}/requests.json?start_date=2026-02-01T00:00:00+08:00")) == [feb.tracking_code]
    assert ids(client.get(f"{BASE}/requests.json?start_date=2026-01-01&end_date=2026-01-15")) == [jan.tracking_code]
    assert ids(client.get(f"{BASE}/requests.json?end_date=2026-01-20T00:00:00Z")) == [jan.tracking_code]


def test_service_request_id_list_overrides_every_other_filter(client, world):
    old = make_incident(world, created_at=days_ago(400), status="closed")
    new = make_incident(world, category=world.manhole)
    make_incident(world)

    url = f"{BASE}/requests.json?service_request_id={old.tracking_code}, {new.tracking_code},NOPE&status=open" \
          f"&service_code=01001001&start_date=2026-01-01T00:00:00Z&end_date=2026-01-02T00:00:00Z"
    assert set(ids(client.get(url))) == {old.tracking_code, new.tracking_code}


def test_page_and_page_size(client, world):
    made = [make_incident(world, created_at=days_ago(10 - n)) for n in range(5)]   # made[-1] is the newest
    newest_first = [i.tracking_code for i in reversed(made)]

    first = client.get(f"{BASE}/requests.json?page_size=2")
    assert ids(first) == newest_first[:2]
    assert 'rel="next"' in first["Link"] and "page=2" in first["Link"]
    assert ids(client.get(f"{BASE}/requests.json?page_size=2&page=3")) == newest_first[4:]
    assert "Link" not in client.get(f"{BASE}/requests.json?page_size=2&page=3")
    assert ids(client.get(f"{BASE}/requests.json?page=9")) == []
    assert len(ids(client.get(f"{BASE}/requests.json?page_size=5000"))) == 5            # capped at 1000


def test_default_page_size_is_50(client, world):
    for _ in range(51):
        make_incident(world)
    assert len(ids(client.get(f"{BASE}/requests.json"))) == 50


def test_list_query_count_is_flat(client, world, count_queries):
    make_incident(world, lead=world.department)
    one = count_queries(lambda: client.get(f"{BASE}/requests.json"))
    for n in range(6):
        incident = make_incident(world, lead=world.department if n % 2 else world.tree.streets[0],
                                 status="rejected" if n % 3 == 0 else "in_hand")
        IncidentEvent.objects.create(incident=incident, to_status="rejected", note="理由", public=True)
    many = count_queries(lambda: client.get(f"{BASE}/requests.json"))
    assert many == one <= 3


# --- one request, tokens ----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_one_request_is_a_one_element_list(client, world, fmt):
    incident = make_incident(world, created_at=days_ago(500))        # outside any window: still found by id

    response = client.get(f"{BASE}/requests/{incident.tracking_code}.{fmt}")

    assert [i["service_request_id"] for i in body(response, fmt)] == [incident.tracking_code]
    if fmt == "xml":
        root = xml_root(response.content)
        assert root.tag == "service_requests" and [c.tag for c in root] == ["request"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_token_is_the_tracking_code(client, world, fmt):
    incident = make_incident(world)

    response = client.get(f"{BASE}/tokens/{incident.tracking_code}.{fmt}")

    assert response.status_code == 200
    assert body(response, fmt) == [{"service_request_id": incident.tracking_code, "token": incident.tracking_code}]
    if fmt == "xml":
        (request,) = xml_root(response.content)
        assert request.tag == "request" and [c.tag for c in request] == ["service_request_id", "token"]
    missing = client.get(f"{BASE}/tokens/NOPE.{fmt}")
    assert missing.status_code == 404 and errors_of(missing, fmt)[0]["code"] == 404


def test_expected_datetime_follows_handle_by(client, world):
    incident = make_incident(world)
    assert client.get(f"{BASE}/requests/{incident.tracking_code}.json").json()[0]["expected_datetime"] is None

    deadline = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC)
    Incident.objects.filter(pk=incident.pk).update(handle_by=deadline)

    (item,) = client.get(f"{BASE}/requests/{incident.tracking_code}.json").json()
    assert item["expected_datetime"] == "2026-12-01T17:30:00+08:00"
    assert "2026-12-01 17:30" in item["service_notice"]
