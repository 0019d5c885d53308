"""Hostile query strings on every list endpoint: a 200 or a 4xx in the error shape, never a 500."""

import json

import pytest

from tests.grids.api.helpers import API, World, assert_error, client_for

pytestmark = pytest.mark.django_db

PARAMS = {
    "regions/": ["level", "current"],
    "regions/tree/": ["root"],
    "residents/": ["region", "q", "residence_type", "status", "care_group", "political_status"],
    "households/": ["region", "q", "kind"],
    "buildings/": ["region", "q", "kind"],
    "housing-units/": ["region", "usage", "building"],
    "organisations/": ["region", "q", "kind", "is_active"],
    "workers/": ["post", "is_active", "q"],
    "audit-log/": ["action", "outcome", "username", "object_type", "date_from", "date_to"],
}
VALUES = ["abc", "-1", "0", "1.5", "1e400", "NaN", "Infinity", str(10**30), "", " ", "%00", "\x00", "1' OR '1'='1",
          "<script>", "x" * 5000, "110105194912310021", "２", "[]"]


@pytest.mark.parametrize("endpoint", sorted(PARAMS))
def test_hostile_filter_values_never_crash(endpoint):
    world = World()
    user = world.users["auditor" if endpoint == "audit-log/" else "district_official"]
    client = client_for(user)
    for param in [*PARAMS[endpoint], "cursor", "page_size", "ordering"]:
        for value in VALUES:
            response = client.get(f"{API}{endpoint}", {param: value})
            assert response.status_code < 500, (endpoint, param, value, response.content[:300])
            if response.status_code != 200:
                assert_error(response, response.status_code)


BASE_PAYLOADS = {
    "residents/": lambda w: {"grid": w.grid.pk, "name": "王芳", "id_number": "11010519491231002X"},
    "households/": lambda w: {"grid": w.grid.pk, "number": "H-9"},
    "buildings/": lambda w: {"grid": w.grid.pk, "number": "99", "name": "楼"},
    "housing-units/": lambda w: {"building": w.building.pk, "room": "9"},
    "organisations/": lambda w: {"grid": w.grid.pk, "name": "店", "kind": "shop"},
}
FIELDS = {
    "residents/": ["grid", "household", "housing_unit", "name", "id_number", "phone", "emergency_contact",
                   "emergency_phone", "residence_type", "relation_to_head", "political_status", "status", "notes",
                   "care_groups"],
    "households/": ["grid", "number", "housing_unit", "kind", "head"],
    "buildings/": ["grid", "number", "name", "address", "kind", "floors", "head"],
    "housing-units/": ["building", "entrance", "room", "area", "usage"],
    "organisations/": ["grid", "building", "name", "kind", "credit_code", "address", "contact_name", "contact_phone",
                       "employees", "is_active"],
}
JSON_VALUES = [None, True, {}, "abc", -1, 10**30, 1.5, "x" * 5000, "\x00", "\ud800", ["alone", 1]]


@pytest.mark.parametrize("endpoint", sorted(FIELDS))
def test_hostile_json_values_never_crash(endpoint):
    world = World()
    client = client_for(world.users["street_staff"])
    target = world.targets()[endpoint.rstrip("/")]
    for field in FIELDS[endpoint]:
        for value in JSON_VALUES:
            payload = json.dumps({**BASE_PAYLOADS[endpoint](world), field: value})  # ASCII: "\ud800" survives
            patch = json.dumps({field: value})
            for response in (client.post(f"{API}{endpoint}", payload, content_type="application/json"),
                             client.patch(f"{API}{endpoint}{target}/", patch, content_type="application/json")):
                assert response.status_code < 500, (endpoint, field, repr(value)[:40], response.content[:300])
                if response.status_code >= 400:
                    assert_error(response, response.status_code)
