"""POST requests: form-encoded, api_key, service_code, location -> grid, optional fields, bounds; the answer in
JSON and XML. Goes through the lifecycle's incident_report (channel open311)."""

import socket

import pytest
from django.test import Client
from django.utils import timezone

from grids.models import Incident, IncidentEvent, Region
from tests.grids.open311.helpers import (
    BASE,
    CLIENT_NAME,
    FORMATS,
    IN_GRID_0,
    IN_GRID_1,
    IN_GRID_2_ONLY,
    IN_RETIRED,
    IN_SCHOOL,
    KEY,
    OUTSIDE,
    body,
    errors_of,
    post_form,
    xml_root,
)

pytestmark = pytest.mark.django_db


def created(response, fmt) -> Incident:
    assert response.status_code == 200, response.content.decode()
    (item,) = body(response, fmt)
    return Incident.objects.get(tracking_code=item["service_request_id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_creates_an_open311_incident(world, fmt):
    client = Client(enforce_csrf_checks=True)      # API-key authenticated: no CSRF token needed
    response = post_form(client, fmt, service_code="01001001", lat=IN_GRID_0[0], long=IN_GRID_0[1],
                         address_string="幸福路1号门口", description="路灯坏了三天。\n晚上很黑。",
                         first_name="小明", last_name="王", phone="13912345678", email="wang@example.com",
                         device_id="dev-42", account_id="acc-7", media_url="https://img.example.com/p/1.jpg",
                         jurisdiction_id="example.gov.cn")

    incident = created(response, fmt)
    (item,) = body(response, fmt)
    assert list(item) == ["service_request_id", "service_notice", "account_id"]
    assert item["account_id"] == "acc-7"
    assert item["service_notice"]
    assert incident.channel == Incident.Channel.OPEN311
    assert incident.category == world.streetlight
    assert incident.grid == world.grids[0]
    assert incident.request_type == Incident.RequestType.HELP        # the definition's default
    assert incident.description == "路灯坏了三天。\n晚上很黑。"
    assert incident.title.startswith("路灯不亮")
    assert incident.address == "幸福路1号门口"
    assert (float(incident.latitude), float(incident.longitude)) == IN_GRID_0
    assert incident.reporter_name == "王小明"                         # family name first, no space
    assert incident.reporter_phone == "13912345678"
    # Who submitted it (staff-only note), the media URL as text; e-mail and device id are not kept anywhere.
    note = IncidentEvent.objects.get(incident=incident, kind="open311_submission")
    assert note.public is False
    assert CLIENT_NAME in note.note and "acc-7" in note.note and "https://img.example.com/p/1.jpg" in note.note
    stored = " ".join(e.note for e in incident.events.all()) + repr(Incident.objects.filter(pk=incident.pk).values())
    assert "wang@example.com" not in stored and "dev-42" not in stored


def test_post_xml_answer_element_names(world, client):
    response = post_form(client, "xml", service_code="01001002", address_id=world.grids[1].code)

    root = xml_root(response.content)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert Incident.objects.filter(tracking_code=request.findtext("service_request_id")).exists()


def test_service_notice_promises_the_deadline(world, client):
    response = post_form(client, "json", service_code="01001001", address_id=world.grids[0].code)
    incident = created(response, "json")
    notice = response.json()[0]["service_notice"]

    if incident.handle_by:      # the deadline is set at once: the notice names it
        assert timezone.localtime(incident.handle_by).strftime("%Y-%m-%d %H:%M") in notice
    else:                       # not yet registered: the category's limits
        assert "72" in notice


def test_api_key_may_come_in_the_query_string(world, client):
    response = client.post(f"{BASE}/requests.json?api_key={KEY}",
                           {"service_code": "01001001", "address_id": world.grids[0].code})
    created(response, "json")


@pytest.mark.parametrize("point, grid_index", [
    (IN_GRID_0, 0), (IN_GRID_1, 1), (IN_GRID_2_ONLY, 2),
    (IN_SCHOOL, 3),            # inside grid 2 and the small dedicated grid 3: the smallest wins
])
def test_point_is_placed_in_the_grid_that_contains_it(world, client, point, grid_index):
    incident = created(post_form(client, "json", service_code="01001001", lat=point[0], long=point[1]), "json")
    assert incident.grid == world.grids[grid_index]


def test_micro_grid_answers_as_its_grid(world, client):
    grid = world.grids[1]
    micro = Region.objects.add_child(grid, create_kwargs=dict(level="micro_grid", name="3号楼", code=grid.code + "001"))
    Region.objects.filter(pk=micro.pk).update(boundary={"type": "Polygon", "coordinates": [
        [[116.314, 39.904], [116.316, 39.904], [116.316, 39.906], [116.314, 39.906], [116.314, 39.904]]]})

    by_point = created(post_form(client, "json", service_code="01001001", lat=39.905, long=116.315), "json")
    by_code = created(post_form(client, "json", service_code="01001001", address_id=micro.code), "json")

    assert by_point.grid == grid and by_code.grid == grid


def test_address_id_is_used_when_the_point_is_outside(world, client):
    incident = created(post_form(client, "json", service_code="01001001", lat=OUTSIDE[0], long=OUTSIDE[1],
                                 address_id=world.grids[5].code), "json")
    assert incident.grid == world.grids[5]


@pytest.mark.parametrize("params, words", [
    ({"lat": OUTSIDE[0], "long": OUTSIDE[1]}, "outside every grid"),
    ({"lat": IN_RETIRED[0], "long": IN_RETIRED[1]}, "outside every grid"),       # only a retired grid is there
    ({"address_id": "110101999999999"}, "current grid"),
    ({"address_id": "幸福路"}, "current grid"),
    ({"address_string": "幸福路1号"}, "lat and long"),                              # no geocoder: say what to add
    ({"lat": "39.9"}, "both lat and long"),
    ({"lat": "north", "long": "116.3"}, "decimal degrees"),
    ({"lat": "95", "long": "116.3"}, "within"),
    ({"lat": "nan", "long": "116.3"}, "within"),
])
def test_unplaceable_locations_are_400(world, client, params, words):
    response = post_form(client, "json", service_code="01001001", **params)

    assert response.status_code == 400
    assert any(words in e["description"] for e in errors_of(response, "json")), response.content.decode()
    assert not Incident.objects.exists()


def test_request_type_attribute(world, client):
    incident = created(post_form(client, "json", service_code="01001001", address_id=world.grids[0].code,
                                 **{"attribute[request_type]": "complaint", "attribute[unknown]": "x"}), "json")
    assert incident.request_type == Incident.RequestType.COMPLAINT

    response = post_form(client, "json", service_code="01001001", address_id=world.grids[0].code,
                         **{"attribute[request_type]": "gossip"})
    assert response.status_code == 400
    assert "request_type" in errors_of(response, "json")[0]["description"]


def test_empty_optional_parameters_are_the_same_as_absent(world, client):
    incident = created(post_form(client, "json", service_code="01001001", address_id=world.grids[0].code, lat="",
                                 long="", email="", media_url="", first_name="", description="",
                                 **{"attribute[request_type]": ""}), "json")
    assert incident.request_type == Incident.RequestType.HELP
    assert incident.description == "路灯不亮"          # no description: the service says what it is


@pytest.mark.parametrize("fmt", FORMATS)
def test_script_is_stored_as_text_and_never_served_as_markup(world, client, fmt):
    script = "<script>alert('x')</script>路灯坏了 & 井盖"
    incident = created(post_form(client, fmt, service_code="01001001", address_id=world.grids[0].code,
                                 description=script), fmt)
    assert incident.description == script

    response = client.get(f"{BASE}/requests/{incident.tracking_code}.{fmt}")
    assert body(response, fmt)[0]["description"] == script
    if fmt == "xml":
        assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("params, field", [
    ({"description": "长" * 4001}, "description"),
    ({"description": "bell\x07"}, "description"),
    ({"first_name": "名" * 51}, "first_name"),
    ({"address_string": "路" * 201}, "address_string"),
    ({"phone": "1" * 33}, "phone"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"media_url": "file:///etc/passwd"}, "media_url"),
    ({"account_id": "a" * 65}, "account_id"),
    ({"phone": "12345"}, "phone"),                      # refused by the lifecycle's phone check, named as sent
])
def test_text_sizes_and_content_are_bounded(world, client, params, field):
    response = post_form(client, "json", service_code="01001001", address_id=world.grids[0].code, **params)

    assert response.status_code == 400
    assert any(e["description"].startswith(field) for e in errors_of(response, "json"))
    assert not Incident.objects.exists()


def test_description_of_4000_characters_is_accepted(world, client):
    incident = created(post_form(client, "json", service_code="01001001", address_id=world.grids[0].code,
                                 description="长" * 4000), "json")
    assert len(incident.description) == 4000


def test_media_url_is_never_fetched(world, client, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the server tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    created(post_form(client, "json", service_code="01001001", address_id=world.grids[0].code,
                      media_url="http://169.254.169.254/latest/meta-data/"), "json")


def test_multipart_is_accepted_but_files_are_ignored(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(f"{BASE}/requests.json", {
        "api_key": KEY, "service_code": "01001001", "address_id": world.grids[0].code,
        "media": SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")})
    incident = created(response, "json")
    assert not incident.photos.exists()


def test_oversized_body_is_refused_before_parsing(world, client):
    response = post_form(client, "json", service_code="01001001", address_id=world.grids[0].code,
                         padding="x" * (70 * 1024))
    assert response.status_code == 400
    assert "too large" in errors_of(response, "json")[0]["description"]
