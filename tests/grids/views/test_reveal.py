"""Personal data on the pages: masked in lists and on detail pages; the plaintext only in the response to an
explicit POST reveal, which writes exactly one `reveal` audit row naming the field; special-management records
only for roles allowed to see them."""

import pytest
from django.urls import reverse

from governance.lib.pii import mask_id_number, mask_phone
from governance.models import AuditLog, Role
from grids.models import SpecialGroupRecord
from tests.factories import OrganisationFactory, ResidentFactory, make_grid_worker, make_id_number, make_user

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"
PHONE = "13812345678"
EMERGENCY = "13987654321"


@pytest.fixture
def resident(tree):
    return ResidentFactory(grid=tree.grids[0], name="王芳", id_number=ID, phone=PHONE, emergency_phone=EMERGENCY)


def _reveals():
    return AuditLog.objects.filter(action=AuditLog.Action.REVEAL)


def test_list_and_detail_show_masked_values_only(tree, resident, client_for):
    client = client_for(make_grid_worker(tree.grids[0]))
    for url in (reverse("grids:resident_list"), reverse("grids:resident_detail", args=[resident.pk])):
        html = client.get(url).content.decode()
        assert mask_id_number(ID) in html and mask_phone(PHONE) in html, url
        assert ID not in html and PHONE not in html and EMERGENCY not in html, url
    assert not _reveals().exists()


def test_edit_form_does_not_prefill_plaintext(tree, resident, client_for):
    client = client_for(make_grid_worker(tree.grids[0]))
    html = client.get(reverse("grids:resident_edit", args=[resident.pk])).content.decode()
    assert ID not in html and PHONE not in html and EMERGENCY not in html
    assert mask_id_number(ID) in html


@pytest.mark.parametrize(("field", "plain", "others"), [
    ("id_number", ID, (PHONE, EMERGENCY)),
    ("phone", PHONE, (ID, EMERGENCY)),
    ("emergency_phone", EMERGENCY, (ID, PHONE)),
])
def test_post_reveal_shows_one_field_and_writes_one_audit_row(tree, resident, client_for, field, plain, others):
    user = make_grid_worker(tree.grids[0])
    client = client_for(user)
    response = client.post(reverse("grids:resident_reveal", args=[resident.pk]), {"field": field})
    assert response.status_code == 200
    html = response.content.decode()
    assert plain in html
    for other in others:
        assert other not in html
    assert "no-store" in response["Cache-Control"]

    rows = list(_reveals())
    assert len(rows) == 1
    assert rows[0].detail == {"field": field}
    assert rows[0].object_type == "grids.resident" and rows[0].object_id == str(resident.pk)
    assert rows[0].user_id == user.pk
    assert plain not in str(rows[0].detail) and plain not in rows[0].object_repr

    # The next plain GET is masked again.
    assert plain not in client.get(reverse("grids:resident_detail", args=[resident.pk])).content.decode()


def test_get_reveal_is_405_and_logs_nothing(tree, resident, client_for):
    client = client_for(make_grid_worker(tree.grids[0]))
    response = client.get(reverse("grids:resident_reveal", args=[resident.pk]) + "?field=id_number")
    assert response.status_code == 405
    assert ID not in response.content.decode()
    assert not _reveals().exists()


@pytest.mark.parametrize("field", ["name", "id_number_hash", "", "notes"])
def test_reveal_of_other_fields_is_refused(tree, resident, client_for, field):
    client = client_for(make_grid_worker(tree.grids[0]))
    response = client.post(reverse("grids:resident_reveal", args=[resident.pk]), {"field": field})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be revealed" in html
    assert ID not in html and PHONE not in html
    assert not _reveals().exists()


def test_reveal_outside_jurisdiction_is_404_and_logs_nothing(tree, resident, client_for):
    client = client_for(make_grid_worker(tree.grids[1]))
    response = client.post(reverse("grids:resident_reveal", args=[resident.pk]), {"field": "id_number"})
    assert response.status_code == 404
    assert ID not in response.content.decode()
    assert not _reveals().exists()


def test_organisation_contact_phone_reveal(tree, client_for):
    organisation = OrganisationFactory(grid=tree.grids[0], contact_phone=PHONE)
    client = client_for(make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]))
    html = client.get(reverse("grids:organisation_detail", args=[organisation.pk])).content.decode()
    assert mask_phone(PHONE) in html and PHONE not in html
    response = client.post(reverse("grids:organisation_reveal", args=[organisation.pk]), {"field": "contact_phone"})
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert _reveals().count() == 1


SPECIAL_HEADING = "Special-management records"


@pytest.fixture
def special(resident):
    SpecialGroupRecord.objects.create(resident=resident, grid=resident.grid, kind=SpecialGroupRecord.Kind.PETITION)
    return resident


@pytest.mark.parametrize(("make", "allowed"), [
    (lambda t: make_grid_worker(t.grids[0]), False),
    (lambda t: make_user(Role.COMMUNITY_STAFF, region=t.communities[0]), False),
    (lambda t: make_user(Role.COMMUNITY_STAFF, region=t.communities[0], may_view_special_groups=True), True),
    (lambda t: make_user(Role.STREET_STAFF, region=t.streets[0]), True),      # in GONGZHI_SPECIAL_GROUP_ROLES
    (lambda t: make_user(Role.DISTRICT_OFFICIAL, region=t.district), False),
], ids=["grid_worker", "community_staff", "community_staff_granted", "street_staff", "district_official"])
def test_special_group_section_only_for_allowed_users(tree, special, client_for, make, allowed):
    html = client_for(make(tree)).get(reverse("grids:resident_detail", args=[special.pk])).content.decode()
    assert (SPECIAL_HEADING in html) == allowed
    assert ("Petitioner" in html) == allowed


def test_special_group_section_shows_none_recorded(tree, resident, client_for):
    client = client_for(make_user(Role.STREET_STAFF, region=tree.streets[0]))
    html = client.get(reverse("grids:resident_detail", args=[resident.pk])).content.decode()
    assert SPECIAL_HEADING in html and "None recorded." in html


def test_household_member_table_masks_id_numbers(tree, client_for):
    from tests.factories import HouseholdFactory

    household = HouseholdFactory(grid=tree.grids[0])
    id_number = make_id_number()
    ResidentFactory(grid=tree.grids[0], household=household, id_number=id_number)
    html = client_for(make_grid_worker(tree.grids[0])).get(
        reverse("grids:household_detail", args=[household.pk])).content.decode()
    assert mask_id_number(id_number) in html and id_number not in html
