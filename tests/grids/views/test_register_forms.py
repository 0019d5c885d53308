"""Create and edit pages of the registers: valid input goes through the services; bad input (empty, wrong ID check
digit, malformed phone, oversize, markup, a row outside the jurisdiction posted by id) comes back as status 400
with the message in the page and what was typed kept, never a 500."""

import html as html_lib

import pytest
from django.urls import reverse

from governance.models import AuditLog, Role
from grids.models import Building, CareGroup, Household, HousingUnit, Organisation, Resident
from tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    HousingUnitFactory,
    OrganisationFactory,
    ResidentFactory,
    make_grid_worker,
    make_id_number,
    make_user,
)

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"
BAD_CHECKSUM = "110105194912310021"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def worker(tree):
    return make_grid_worker(tree.grids[0])


def _resident_data(tree, **overrides):
    data = {"name": "王芳", "id_number": VALID_ID, "grid": tree.grids[0].pk, "phone": "13812345678",
            "residence_type": "registered", "political_status": "masses", "status": "active"}
    data.update(overrides)
    return data


def _page(response) -> str:
    return response.content.decode()


def test_default_interface_is_simplified_chinese(tree, worker):
    from django.test import Client

    client = Client()
    client.force_login(worker, backend="django.contrib.auth.backends.ModelBackend")
    html = _page(client.get(reverse("grids:resident_create")))
    assert '<html lang="zh-hans">' in html


def test_create_resident(tree, worker, client_for):
    care = CareGroup.objects.create(code="disabled", name="残疾")
    response = client_for(worker).post(reverse("grids:resident_create"),
                                       _resident_data(tree, care_groups=[care.pk], notes="行动不便"))
    resident = Resident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("grids:resident_detail", args=[resident.pk])
    assert resident.id_number == VALID_ID and resident.gender == "F" and str(resident.birth_date) == "1949-12-31"
    assert list(resident.care_groups.all()) == [care]
    assert AuditLog.objects.filter(action=AuditLog.Action.CREATE, object_type="grids.resident").count() == 1


def test_create_form_preselects_the_grid_from_the_query(tree, worker, client_for):
    html = _page(client_for(worker).get(reverse("grids:resident_create") + f"?grid={tree.grids[0].pk}"))
    assert f'<option value="{tree.grids[0].pk}" selected>' in html


def test_create_form_lists_only_grids_in_the_jurisdiction(tree, client_for):
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    html = _page(client_for(staff).get(reverse("grids:resident_create")))
    assert tree.grids[0].code in html and tree.grids[1].code in html
    assert tree.grids[2].code not in html and tree.grids[4].code not in html


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"name": "", "id_number": "", "grid": ""}, "name", "This field is required."),
    ({"id_number": BAD_CHECKSUM}, "id_number", "check digit is wrong"),
    ({"id_number": "12345"}, "id_number", "An ID number has 18 characters"),
    ({"phone": "12345"}, "phone", "Enter an 11-digit mobile number"),
    ({"emergency_phone": "phone-me"}, "emergency_phone", "Enter an 11-digit mobile number"),
    ({"name": "王" * 200}, "name", "Ensure this value has at most 64 characters"),
    ({"id_number": "1" * 300}, "id_number", "Ensure this value has at most 32 characters"),
    ({"notes": "x" * 2001}, "notes", "Ensure this value has at most 2000 characters"),
    ({"residence_type": "martian"}, "residence_type", "Select a valid choice"),
], ids=["empty", "checksum", "short_id", "phone", "emergency_phone", "long_name", "long_id", "long_notes",
        "bad_choice"])
def test_bad_resident_input_is_400_with_message_and_kept_values(tree, worker, client_for, overrides, field, message):
    data = _resident_data(tree, **overrides)
    response = client_for(worker).post(reverse("grids:resident_create"), data)
    assert response.status_code == 400
    html = _page(response)
    assert message in html_lib.unescape(html)
    assert 'class="field field-invalid"' in html
    assert Resident.objects.count() == 0
    # What the user typed is still there.
    for name in ("name", "id_number", "phone"):
        if data.get(name):
            assert f'value="{html_lib.escape(data[name])}"' in html or data[name] in html, name


def test_grid_outside_the_jurisdiction_posted_by_id(tree, worker, client_for):
    response = client_for(worker).post(reverse("grids:resident_create"), _resident_data(tree, grid=tree.grids[4].pk))
    assert response.status_code == 400
    assert "within your jurisdiction" in _page(response)
    assert Resident.objects.count() == 0


def test_household_outside_the_jurisdiction_posted_by_id(tree, worker, client_for):
    foreign = HouseholdFactory(grid=tree.grids[1])
    response = client_for(worker).post(reverse("grids:resident_create"), _resident_data(tree, household=foreign.pk))
    assert response.status_code == 400
    assert "within your jurisdiction" in _page(response)


def test_service_error_is_attached_to_its_field(tree, worker, client_for):
    ResidentFactory(grid=tree.grids[0], id_number=VALID_ID)
    response = client_for(worker).post(reverse("grids:resident_create"), _resident_data(tree, name="李四"))
    assert response.status_code == 400
    html = _page(response)
    assert "already registered" in html
    assert 'value="李四"' in html and f'value="{VALID_ID}"' in html


def test_script_in_a_name_is_stored_as_text_and_escaped(tree, worker, client_for):
    client = client_for(worker)
    response = client.post(reverse("grids:resident_create"), _resident_data(tree, name=SCRIPT))
    assert response.status_code == 302
    resident = Resident.objects.get()
    assert resident.name == SCRIPT
    for url in (reverse("grids:resident_detail", args=[resident.pk]), reverse("grids:resident_list")):
        html = _page(client.get(url))
        assert SCRIPT not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_in_a_rejected_form_is_echoed_escaped(tree, worker, client_for):
    response = client_for(worker).post(reverse("grids:resident_create"),
                                       _resident_data(tree, name=SCRIPT, id_number=BAD_CHECKSUM))
    assert response.status_code == 400
    html = _page(response)
    assert SCRIPT not in html and "&lt;script&gt;" in html


def test_edit_keeps_secrets_when_left_empty_and_can_clear_a_phone(tree, worker, client_for):
    resident = ResidentFactory(grid=tree.grids[0], id_number=VALID_ID, phone="13812345678",
                               emergency_phone="13987654321")
    client = client_for(worker)
    url = reverse("grids:resident_edit", args=[resident.pk])
    data = _resident_data(tree, name="王芳芳", id_number="", phone="", emergency_phone="", clear_emergency_phone="on")
    response = client.post(url, data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.name == "王芳芳"
    assert resident.id_number == VALID_ID and resident.phone == "13812345678"
    assert resident.emergency_phone == ""

    response = client.post(url, _resident_data(tree, id_number="", phone="010-62345678"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.phone == "010-62345678"


def test_edit_with_bad_input_is_400(tree, worker, client_for):
    resident = ResidentFactory(grid=tree.grids[0])
    response = client_for(worker).post(reverse("grids:resident_edit", args=[resident.pk]),
                                       _resident_data(tree, id_number=BAD_CHECKSUM))
    assert response.status_code == 400
    assert "check digit is wrong" in _page(response)


# --- the other registers ------------------------------------------------------------------------------------

def test_building_create_edit_and_errors(tree, worker, client_for):
    client = client_for(worker)
    url = reverse("grids:building_create")
    response = client.post(url, {"number": "12", "name": "幸福里1号楼", "grid": tree.grids[0].pk, "kind": "residential",
                                 "floors": "6"})
    assert response.status_code == 302
    building = Building.objects.get()
    assert building.number == "00012" and building.community == tree.communities[0]

    response = client.post(url, {"number": "12", "name": "重号楼", "grid": tree.grids[0].pk, "kind": "residential"})
    assert response.status_code == 400 and "already used in the community" in _page(response)
    response = client.post(url, {"number": "abc", "name": "楼" * 150, "grid": tree.grids[4].pk, "kind": "residential",
                                 "floors": "-3"})
    assert response.status_code == 400
    html = _page(response)
    assert "at most 100 characters" in html and "within your jurisdiction" in html

    occupant = ResidentFactory(grid=tree.grids[0], housing_unit=HousingUnitFactory(building=building))
    response = client.post(reverse("grids:building_edit", args=[building.pk]),
                           {"number": "00012", "name": "幸福里一号楼", "grid": tree.grids[0].pk, "kind": "mixed",
                            "head": occupant.pk})
    assert response.status_code == 302
    building.refresh_from_db()
    assert building.name == "幸福里一号楼" and building.head == occupant


def test_housing_create_edit_and_errors(tree, worker, client_for):
    client = client_for(worker)
    building = BuildingFactory(grid=tree.grids[0])
    foreign = BuildingFactory(grid=tree.grids[1])
    response = client.post(reverse("grids:housing_create"), {"building": building.pk, "entrance": "2单元",
                                                             "room": "301", "area": "88.50", "usage": "rented"})
    assert response.status_code == 302
    unit = HousingUnit.objects.get()
    assert unit.grid == tree.grids[0]

    response = client.post(reverse("grids:housing_create"), {"building": foreign.pk, "room": "", "usage": "rented",
                                                             "area": "abc"})
    assert response.status_code == 400
    html = _page(response)
    assert "within your jurisdiction" in html and "This field is required." in html and "Enter a number." in html

    response = client.post(reverse("grids:housing_edit", args=[unit.pk]),
                           {"building": building.pk, "entrance": "2单元", "room": "302", "usage": "vacant"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.room == "302" and unit.usage == "vacant"


def test_household_create_edit_and_errors(tree, worker, client_for):
    client = client_for(worker)
    response = client.post(reverse("grids:household_create"),
                           {"number": "H-001", "grid": tree.grids[0].pk, "kind": "registered"})
    assert response.status_code == 302
    household = Household.objects.get()
    response = client.post(reverse("grids:household_create"),
                           {"number": "H-001", "grid": tree.grids[0].pk, "kind": "registered"})
    assert response.status_code == 400 and "already used in the grid" in _page(response)

    member = ResidentFactory(grid=tree.grids[0], household=household)
    outsider = ResidentFactory(grid=tree.grids[0])
    url = reverse("grids:household_edit", args=[household.pk])
    response = client.post(url, {"number": "H-001", "grid": tree.grids[0].pk, "kind": "resident", "head": outsider.pk})
    assert response.status_code == 400 and "Choose one of the listed options" in _page(response)
    response = client.post(url, {"number": "H-001", "grid": tree.grids[0].pk, "kind": "resident", "head": member.pk})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.head == member and household.kind == "resident"


def test_organisation_create_edit_and_errors(tree, worker, client_for):
    client = client_for(worker)
    data = {"name": "便民超市", "kind": "shop", "grid": tree.grids[0].pk, "contact_phone": "13812345678",
            "is_active": "on", "employees": "5"}
    response = client.post(reverse("grids:organisation_create"), data)
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.contact_phone == "13812345678"

    response = client.post(reverse("grids:organisation_create"),
                           {**data, "credit_code": "NOT-A-CODE", "contact_phone": "0000"})
    assert response.status_code == 400
    html = _page(response)
    assert "unified social credit code is not valid" in html and "Enter an 11-digit mobile number" in html

    url = reverse("grids:organisation_edit", args=[organisation.pk])
    assert "13812345678" not in _page(client.get(url))
    response = client.post(url, {**data, "name": "便民超市（二店）", "contact_phone": ""})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "便民超市（二店）" and organisation.contact_phone == "13812345678"
    assert organisation.is_active is True


def test_edit_of_a_row_in_another_grid_is_404(tree, worker, client_for):
    client = client_for(worker)
    foreign = {
        "grids:building_edit": BuildingFactory(grid=tree.grids[1]).pk,
        "grids:household_edit": HouseholdFactory(grid=tree.grids[1]).pk,
        "grids:organisation_edit": OrganisationFactory(grid=tree.grids[1]).pk,
        "grids:resident_edit": ResidentFactory(grid=tree.grids[1], id_number=make_id_number()).pk,
    }
    for name, pk in foreign.items():
        assert client.post(reverse(name, args=[pk]), {"name": "x"}).status_code == 404, name
