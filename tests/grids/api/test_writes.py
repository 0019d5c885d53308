"""Create (POST) and partial update (PATCH) through the register services, and bad input as 400 {code, message,
extra: {fields}} - never a 500, never a half-written row."""

import json

import pytest

from governance.lib.codes import credit_code_check_char
from governance.models import AuditLog
from grids.models import Building, Household, HousingUnit, Organisation, Resident
from tests.factories import BuildingFactory, HouseholdFactory, make_id_number
from tests.grids.api.helpers import API, BAD_CHECKSUM_ID, VALID_ID, World, assert_error, assert_field_error, body, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


@pytest.fixture
def worker_client(world):
    return client_for(world.users["grid_worker_own"])


def _resident_payload(world, **changes):
    payload = {"grid": world.grid.pk, "name": "王芳", "id_number": VALID_ID, "phone": "+86 138 1234 5678"}
    payload.update(changes)
    return payload


# --- residents -------------------------------------------------------------------------------------


def test_create_resident(world, worker_client):
    payload = _resident_payload(world, household=world.household.pk, housing_unit=world.unit.pk,
                                care_groups=["alone"], residence_type="floating", notes="独居老人")
    response = worker_client.post(f"{API}residents/", payload, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["name"] == "王芳" and data["gender"] == "F" and data["grid"] == world.grid.pk
    assert data["id_number"] == "1101**********002X" and data["phone"] == "138****5678"
    assert data["care_groups"] == ["alone"] and data["residence_type"] == "floating"
    assert VALID_ID not in response.content.decode() and "13812345678" not in response.content.decode()
    resident = Resident.objects.get(pk=data["id"])
    assert resident.id_number == VALID_ID and resident.phone == "13812345678"
    audit = AuditLog.objects.filter(action=AuditLog.Action.CREATE, object_type="grids.resident",
                                    object_id=str(resident.pk)).get()
    assert audit.username == world.users["grid_worker_own"].username


def test_patch_resident(world, worker_client):
    url = f"{API}residents/{world.resident.pk}/"
    response = worker_client.patch(url, {"name": "王五", "status": "moved_out", "phone": ""}, format="json")
    assert response.status_code == 200, response.content
    data = body(response)
    assert data["name"] == "王五" and data["status"] == "moved_out" and data["phone"] == ""
    world.resident.refresh_from_db()
    assert world.resident.name == "王五" and world.resident.id_number == world.id_number


def test_script_tag_is_stored_and_returned_as_plain_text(world, worker_client):
    script = "<script>alert(1)</script>"
    response = worker_client.post(f"{API}residents/", _resident_payload(world, name=script, notes=script),
                                  format="json")
    assert response.status_code == 201, response.content
    assert response["Content-Type"].startswith("application/json")
    data = body(response)
    assert data["name"] == script and data["notes"] == script
    assert Resident.objects.get(pk=data["id"]).name == script


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": BAD_CHECKSUM_ID}, "id_number"),
        ({"id_number": ""}, "id_number"),
        ({"id_number": "x" * 33}, "id_number"),
        ({"phone": "1234"}, "phone"),
        ({"phone": "138-1234-56789"}, "phone"),
        ({"emergency_phone": "abc"}, "emergency_phone"),
        ({"name": "名" * 65}, "name"),
        ({"name": ""}, "name"),
        ({"name": "王\x00芳"}, "name"),
        ({"notes": "x" * 2001}, "notes"),
        ({"grid": "abc"}, "grid"),
        ({"grid": None}, "grid"),
        ({"grid": 1.5}, "grid"),
        ({"grid": True}, "grid"),
        ({"grid": [1]}, "grid"),
        ({"grid": 10**30}, "grid"),
        ({"grid": 999999}, "grid"),
        ({"residence_type": "tourist"}, "residence_type"),
        ({"care_groups": ["no-such-group"]}, "care_groups"),
        ({"care_groups": "alone"}, "care_groups"),
        ({"household": "abc"}, "household"),
    ],
)
def test_bad_resident_input_is_a_400_naming_the_field(world, worker_client, changes, field):
    response = worker_client.post(f"{API}residents/", _resident_payload(world, **changes), format="json")
    assert_field_error(response, field)
    assert Resident.objects.count() == 1  # only the world's own resident


def test_missing_required_fields(world, worker_client):
    data = assert_error(worker_client.post(f"{API}residents/", {}, format="json"), 400, "invalid")
    assert {"grid", "name", "id_number"} <= set(data["extra"]["fields"])


def test_grid_outside_jurisdiction_looks_like_a_missing_one(world, worker_client):
    messages = []
    for grid in (world.tree.grids[1], world.far_grid, world.tree.communities[0]):
        data = assert_field_error(
            worker_client.post(f"{API}residents/", _resident_payload(world, grid=grid.pk), format="json"), "grid")
        messages.append(data["extra"]["fields"]["grid"])
    missing = assert_field_error(
        worker_client.post(f"{API}residents/", _resident_payload(world, grid=999999), format="json"), "grid")
    assert messages[0] == messages[1] == missing["extra"]["fields"]["grid"]
    assert Resident.objects.count() == 1


def test_household_of_another_community_is_refused(world):
    client = client_for(world.users["street_staff"])
    other = HouseholdFactory(grid=world.tree.grids[2])  # community 1-2, also in the street's jurisdiction
    response = client.post(f"{API}residents/", _resident_payload(world, household=other.pk), format="json")
    assert_field_error(response, "household")


def test_duplicate_id_number_is_refused(world, worker_client):
    response = worker_client.post(f"{API}residents/", _resident_payload(world, id_number=world.id_number),
                                  format="json")
    assert_field_error(response, "id_number")


@pytest.mark.parametrize("raw", ["{not json", '{"name": ', "\x00", '{"grid": 1,}'])
def test_malformed_json_is_a_400(world, worker_client, raw):
    assert_error(worker_client.post(f"{API}residents/", raw, content_type="application/json"), 400, "parse_error")
    assert_error(worker_client.patch(f"{API}residents/{world.resident.pk}/", raw, content_type="application/json"),
                 400, "parse_error")


@pytest.mark.parametrize("raw", [[], "text", 12, None])
def test_json_that_is_not_an_object_is_a_400(world, worker_client, raw):
    response = worker_client.post(f"{API}residents/", json.dumps(raw), content_type="application/json")
    data = assert_error(response, 400, "invalid")
    assert "non_field_errors" in data["extra"]["fields"] or data["extra"]["fields"]


def test_patch_bad_input_changes_nothing(world, worker_client):
    url = f"{API}residents/{world.resident.pk}/"
    assert_field_error(worker_client.patch(url, {"name": "好", "phone": "12"}, format="json"), "phone")
    assert_field_error(worker_client.patch(url, {"id_number": BAD_CHECKSUM_ID}, format="json"), "id_number")
    assert_field_error(worker_client.patch(url, {"grid": world.far_grid.pk}, format="json"), "grid")
    world.resident.refresh_from_db()
    assert world.resident.name != "好" and world.resident.phone == world.phone and world.resident.grid == world.grid


def test_patch_outside_jurisdiction_is_404(world):
    client = client_for(world.users["grid_worker_other"])
    assert_error(client.patch(f"{API}residents/{world.resident.pk}/", {"name": "x"}, format="json"), 404, "not_found")
    assert_error(client.patch(f"{API}residents/{10**30}/", {"name": "x"}, format="json"), 404, "not_found")


# --- households, buildings, housing units, organisations ----------------------------------------------


def test_household_create_and_patch(world, worker_client):
    response = worker_client.post(f"{API}households/", {"grid": world.grid.pk, "number": "H-0001", "kind": "resident",
                                                         "housing_unit": world.unit.pk}, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["number"] == "H-0001" and data["member_count"] == 0 and data["housing_unit"] == world.unit.pk
    assert_field_error(worker_client.post(f"{API}households/", {"grid": world.grid.pk, "number": "H-0001"},
                                          format="json"), "number")
    assert_field_error(worker_client.post(f"{API}households/", {"grid": world.grid.pk, "number": "H" * 33},
                                          format="json"), "number")

    response = worker_client.patch(f"{API}households/{world.household.pk}/", {"head": world.resident.pk},
                                   format="json")
    assert response.status_code == 200, response.content
    assert body(response)["head"] == world.resident.pk and body(response)["head_name"] == world.resident.name
    assert_field_error(worker_client.patch(f"{API}households/{data['id']}/", {"head": world.resident.pk},
                                           format="json"), "head")  # not a member of that household
    assert Household.objects.count() == 2


def test_building_create_and_patch(world, worker_client):
    response = worker_client.post(f"{API}buildings/", {"grid": world.grid.pk, "number": "12", "name": "12号楼",
                                                        "kind": "mixed", "floors": 6}, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["number"] == "00012" and data["community"] == world.tree.communities[0].pk and data["unit_count"] == 0
    for payload, field in [({"number": "abcde"}, "number"), ({"number": "123456"}, "number"),
                           ({"name": "楼" * 101}, "name"), ({"floors": -1}, "floors"), ({"floors": "many"}, "floors"),
                           ({"kind": "castle"}, "kind"), ({"number": "12"}, "number")]:
        full = {"grid": world.grid.pk, "number": "77", "name": "楼", **payload}
        assert_field_error(worker_client.post(f"{API}buildings/", full, format="json"), field)
    response = worker_client.patch(f"{API}buildings/{data['id']}/", {"name": "十二号楼", "head": world.resident.pk},
                                   format="json")
    assert response.status_code == 200 and body(response)["head_name"] == world.resident.name
    assert Building.objects.count() == 2


def test_housing_unit_create_and_patch(world, worker_client):
    response = worker_client.post(f"{API}housing-units/", {"building": world.building.pk, "entrance": "2单元",
                                                            "room": "301", "area": "85.50", "usage": "rented"},
                                  format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["grid"] == world.grid.pk and data["area"] == "85.50" and data["usage"] == "rented"
    far_building = BuildingFactory(grid=world.far_grid)
    for payload, field in [({"building": far_building.pk}, "building"), ({"area": "-1"}, "area"),
                           ({"area": "abc"}, "area"), ({"area": "NaN"}, "area"), ({"room": "室" * 17}, "room"),
                           ({"room": ""}, "room")]:
        full = {"building": world.building.pk, "room": "999", **payload}
        assert_field_error(worker_client.post(f"{API}housing-units/", full, format="json"), field)
    response = worker_client.patch(f"{API}housing-units/{data['id']}/", {"usage": "vacant"}, format="json")
    assert response.status_code == 200 and body(response)["usage"] == "vacant"
    assert HousingUnit.objects.count() == 2


def test_organisation_create_and_patch(world, worker_client):
    code = "91110105MA0000001"
    code += credit_code_check_char(code)
    payload = {"grid": world.grid.pk, "name": "便民超市", "kind": "shop", "credit_code": code.lower(),
               "contact_phone": "010-62345678", "employees": 5, "building": world.building.pk}
    response = worker_client.post(f"{API}organisations/", payload, format="json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert data["credit_code"] == code and data["contact_phone"] == "010*****5678"
    assert "010-62345678" not in response.content.decode()
    for changes, field in [({"credit_code": "91110105MA00000019"}, "credit_code"), ({"kind": ""}, "kind"),
                           ({"contact_phone": "12"}, "contact_phone"), ({"employees": -3}, "employees"),
                           ({"credit_code": code}, "credit_code"), ({"name": "店" * 121}, "name")]:
        full = {**payload, "credit_code": "", **changes}
        assert_field_error(worker_client.post(f"{API}organisations/", full, format="json"), field)
    response = worker_client.patch(f"{API}organisations/{data['id']}/", {"is_active": False}, format="json")
    assert response.status_code == 200 and body(response)["is_active"] is False
    assert Organisation.objects.count() == 2


def test_write_then_read_back_through_the_other_roles(world, worker_client):
    """A row a grid worker creates is visible to the street, not to the neighbouring grid worker."""
    created = body(worker_client.post(f"{API}residents/", _resident_payload(world, id_number=make_id_number()),
                                      format="json"))
    street = client_for(world.users["street_staff"])
    assert street.get(f"{API}residents/{created['id']}/").status_code == 200
    neighbour = client_for(world.users["grid_worker_other"])
    assert_error(neighbour.get(f"{API}residents/{created['id']}/"), 404, "not_found")
