"""Personal data leaves the API masked; the plaintext comes only from `reveal`, and every reveal is audited."""

import pytest

from governance.lib.pii import blind_index, mask_id_number, mask_phone
from governance.models import AuditLog
from tests.grids.api.helpers import API, World, assert_error, assert_field_error, body, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return World()


def _secrets(world) -> list[str]:
    return [world.id_number, blind_index(world.id_number), world.phone, world.emergency_phone,
            world.organisation_phone, world.worker_phone, world.resident.birth_date.isoformat()]


@pytest.mark.parametrize("role", ["grid_worker_own", "community_staff", "street_staff", "district_official"])
def test_no_plaintext_personal_data_in_any_list_or_detail(world, role):
    client = client_for(world.users[role])
    urls = [f"{API}{resource}/" for resource in world.targets()]
    urls += [f"{API}{resource}/{pk}/" for resource, pk in world.targets().items()]
    urls += [f"{API}regions/tree/", f"{API}residents/?q={world.id_number}"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        for secret in _secrets(world):
            assert secret not in text, (url, secret)


def test_masked_values_are_shown(world):
    client = client_for(world.users["community_staff"])
    resident = body(client.get(f"{API}residents/{world.resident.pk}/"))
    assert resident["id_number"] == mask_id_number(world.id_number)
    assert resident["id_number"].startswith(world.id_number[:4]) and "*" in resident["id_number"]
    assert resident["phone"] == mask_phone(world.phone) == "138****5678"
    assert resident["emergency_phone"] == mask_phone(world.emergency_phone)
    assert "id_number_hash" not in resident and "birth_date" not in resident
    assert isinstance(resident["age"], int) and resident["care_groups"] == ["alone"]
    organisation = body(client.get(f"{API}organisations/{world.organisation.pk}/"))
    assert organisation["contact_phone"] == mask_phone(world.organisation_phone)
    worker = body(client.get(f"{API}workers/{world.worker.pk}/"))
    assert worker["phone"] == mask_phone(world.worker_phone)


def test_search_by_full_id_number_uses_the_blind_index(world):
    client = client_for(world.users["community_staff"])
    rows = body(client.get(f"{API}residents/", {"q": world.id_number}))["results"]
    assert [row["id"] for row in rows] == [world.resident.pk]


@pytest.mark.parametrize(("field", "attr"), [("id_number", "id_number"), ("phone", "phone"),
                                             ("emergency_phone", "emergency_phone")])
def test_resident_reveal_returns_plaintext_and_writes_one_audit_row_per_call(world, field, attr):
    user = world.users["grid_worker_own"]
    client = client_for(user)
    url = f"{API}residents/{world.resident.pk}/reveal/"
    before = AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count()
    for n in (1, 2):
        response = client.post(url, {"field": field}, format="json")
        assert response.status_code == 200
        assert body(response) == {"field": field, "value": getattr(world, attr)}
        assert "no-store" in response["Cache-Control"]
        assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count() == before + n
    row = AuditLog.objects.filter(action=AuditLog.Action.REVEAL).latest("id")
    assert row.username == user.username and row.user_id == user.pk
    assert row.object_type == "grids.resident" and row.object_id == str(world.resident.pk)
    assert row.detail == {"field": field}
    assert getattr(world, attr) not in str(row.detail) + row.object_repr


def test_reveal_with_force_authenticate_still_names_the_actor(world):
    from rest_framework.test import APIClient

    user = world.users["street_staff"]
    client = APIClient()
    client.force_authenticate(user)
    assert client.post(f"{API}residents/{world.resident.pk}/reveal/", {"field": "phone"}, format="json").status_code == 200
    row = AuditLog.objects.filter(action=AuditLog.Action.REVEAL).latest("id")
    assert row.username == user.username and row.role == user.role


def test_organisation_and_worker_reveal(world):
    client = client_for(world.users["community_staff"])
    response = client.post(f"{API}organisations/{world.organisation.pk}/reveal/", {"field": "contact_phone"},
                           format="json")
    assert body(response) == {"field": "contact_phone", "value": world.organisation_phone}
    response = client.post(f"{API}workers/{world.worker.pk}/reveal/", {"field": "phone"}, format="json")
    assert body(response) == {"field": "phone", "value": world.worker_phone}
    rows = AuditLog.objects.filter(action=AuditLog.Action.REVEAL).order_by("id")
    assert [(r.object_type, r.detail["field"]) for r in rows] == [("grids.organisation", "contact_phone"),
                                                                  ("workforce.worker", "phone")]


def test_refused_reveals_write_no_audit_row(world):
    url = f"{API}residents/{world.resident.pk}/reveal/"
    outsider = client_for(world.users["grid_worker_other"])
    assert_error(outsider.post(url, {"field": "id_number"}, format="json"), 404, "not_found")
    insider = client_for(world.users["grid_worker_own"])
    assert_field_error(insider.post(url, {"field": "name"}, format="json"), "field")
    assert_field_error(insider.post(url, {"field": "contact_phone"}, format="json"), "field")
    assert_field_error(insider.post(url, {}, format="json"), "field")
    assert_error(insider.post(url, "{not json", content_type="application/json"), 400, "parse_error")
    assert_error(client_for(None).post(url, {"field": "phone"}, format="json"), 403, "not_authenticated")
    assert not AuditLog.objects.filter(action=AuditLog.Action.REVEAL).exists()
