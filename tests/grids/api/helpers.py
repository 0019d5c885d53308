"""Shared helpers for the API tests (grids, workforce, governance): clients, one small world, error-shape checks."""

import json

from rest_framework.test import APIClient

from governance.models import Role, User
from grids.models import CareGroup, SpecialGroupRecord
from tests.factories import (
    BuildingFactory,
    DepartmentFactory,
    HouseholdFactory,
    HousingUnitFactory,
    OrganisationFactory,
    ResidentFactory,
    make_grid_worker,
    make_id_number,
    make_tree,
    make_user,
)

API = "/api/v1/"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def client_for(user: User | None) -> APIClient:
    """A fresh client; logged in through the real session machinery (a freshly fetched user) unless None."""
    client = APIClient()
    if user is not None:
        client.force_login(User.objects.get(pk=user.pk), backend=BACKEND)
    return client


def measure_list(count_queries, user, url):
    """(number of queries, response) for one GET by `user` through a fresh client and a freshly fetched user."""
    client = client_for(user)
    holder = {}

    def call():
        holder["response"] = client.get(url)

    n = count_queries(call)
    assert holder["response"].status_code == 200, holder["response"].content
    return n, holder["response"]


def body(response) -> dict:
    return json.loads(response.content.decode("utf-8"))


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The one error shape: {code, message, extra} and nothing else."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    data = body(response)
    assert set(data) == {"code", "message", "extra"}, data
    assert isinstance(data["code"], str) and isinstance(data["message"], str) and isinstance(data["extra"], dict)
    if code is not None:
        assert data["code"] == code, data
    return data


def assert_field_error(response, field: str) -> dict:
    data = assert_error(response, 400, "invalid")
    assert field in data["extra"]["fields"], data
    assert isinstance(data["extra"]["fields"][field], list) and data["extra"]["fields"][field], data
    return data


VALID_ID = "11010519491231002X"
BAD_CHECKSUM_ID = "110105194912310021"


class World:
    """A district with one of every register row in grids[0] (street 1, community 1-1) and an account per role.

    Visible to: grid_worker_own, community_staff, street_staff, district_official.
    Not visible to: grid_worker_other (grids[1], same community), community_staff_other, street_staff_other.
    No register access at all: resident, department_handler, system_admin, security_admin, auditor."""

    def __init__(self):
        self.tree = tree = make_tree()
        self.grid = tree.grids[0]
        self.far_grid = tree.grids[7]
        department = DepartmentFactory(district=tree.district)
        self.users = {
            "resident": make_user(Role.RESIDENT),
            "grid_worker_own": make_grid_worker(tree.grids[0]),
            "grid_worker_other": make_grid_worker(tree.grids[1]),
            "community_staff": make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]),
            "community_staff_other": make_user(Role.COMMUNITY_STAFF, region=tree.communities[1]),
            "street_staff": make_user(Role.STREET_STAFF, region=tree.streets[0]),
            "street_staff_other": make_user(Role.STREET_STAFF, region=tree.streets[1]),
            "district_official": make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
            "department_handler": make_user(Role.DEPARTMENT_HANDLER, department=department),
            "system_admin": make_user(Role.SYSTEM_ADMIN),
            "security_admin": make_user(Role.SECURITY_ADMIN),
            "auditor": make_user(Role.AUDITOR),
        }
        self.building = BuildingFactory(grid=self.grid)
        self.unit = HousingUnitFactory(building=self.building)
        self.household = HouseholdFactory(grid=self.grid, housing_unit=self.unit)
        self.id_number = make_id_number()
        self.phone = "13812345678"
        self.emergency_phone = "13987654321"
        self.resident = ResidentFactory(grid=self.grid, household=self.household, housing_unit=self.unit,
                                        id_number=self.id_number, phone=self.phone,
                                        emergency_contact="李四", emergency_phone=self.emergency_phone)
        self.care_group = CareGroup.objects.create(code="alone", name="独居")
        self.resident.care_groups.add(self.care_group)
        SpecialGroupRecord.objects.create(resident=self.resident, grid=self.grid,
                                          kind=SpecialGroupRecord.Kind.PETITION)
        self.organisation_phone = "13711112222"
        self.organisation = OrganisationFactory(grid=self.grid, building=self.building,
                                                contact_phone=self.organisation_phone)
        self.worker = self.users["grid_worker_own"].worker
        self.worker_phone = "13633334444"
        self.worker.phone = self.worker_phone
        self.worker.save()

    def targets(self) -> dict:
        """resource path -> id of the row in grids[0]."""
        return {
            "regions": self.grid.pk,
            "residents": self.resident.pk,
            "households": self.household.pk,
            "buildings": self.building.pk,
            "housing-units": self.unit.pk,
            "organisations": self.organisation.pk,
            "workers": self.worker.pk,
        }


VISIBLE = {"grid_worker_own", "community_staff", "street_staff", "district_official"}
SCOPED_OUT = {"grid_worker_other", "community_staff_other", "street_staff_other"}
NO_ACCESS = {"resident", "department_handler", "system_admin", "security_admin", "auditor"}
ROLES = sorted(VISIBLE | SCOPED_OUT | NO_ACCESS | {"anonymous"})
RESOURCES = ["regions", "residents", "households", "buildings", "housing-units", "organisations", "workers"]
