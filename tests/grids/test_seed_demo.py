"""The demo district (`manage.py seed_demo`): seeded once and re-seeded once for the whole module."""

import io
import re
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Max
from django.test import RequestFactory, override_settings

from governance.lib.codes import credit_code_valid
from governance.lib.pii import birth_date_from_id, blind_index, gender_from_id, id_number_problem
from governance.models import AuditLog, Department, Role, User
from grids.geo import geojson_polygon_problem
from grids.models import (
    CODE_LENGTH,
    Building,
    CareGroup,
    FormerNetwork,
    Household,
    HousingUnit,
    Organisation,
    Region,
    Resident,
    SpecialGroupRecord,
)
from grids.services.demo import (
    CARE_GROUPS,
    DEMO_ACCOUNTS,
    DEMO_GRID_CODE,
    DEMO_PASSWORD,
    DISTRICT_CODE,
    FULL_GRIDS,
    build_plan,
    demo_seed,
)
from workforce.models import GridAssignment, Worker

MODELS = (Region, Building, HousingUnit, Household, Resident, Resident.care_groups.through, SpecialGroupRecord,
          Organisation, CareGroup, Department, Worker, GridAssignment, User, AuditLog)


def _snapshot() -> dict:
    counts = {m._meta.label_lower: m.objects.count() for m in MODELS}
    latest = {m._meta.label_lower: m.objects.aggregate(t=Max("updated_at"))["t"]
              for m in (Building, HousingUnit, Household, Resident, Organisation)}
    return {"counts": counts, "latest_update": latest,
            "heads": sorted(Household.objects.values_list("id", "head_id"))}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One seed and one re-seed, rolled back when the module is done."""
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            first = demo_seed()
            after_first = _snapshot()
            out = io.StringIO()
            second = demo_seed(stdout=out)
            after_second = _snapshot()
            yield {"first": first, "second": second, "after_first": after_first, "after_second": after_second,
                   "second_output": out.getvalue()}
            transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def test_reseeding_changes_nothing(demo):
    assert demo["after_first"] == demo["after_second"]
    assert demo["second"]["created"] == {}
    assert demo["first"]["totals"] == demo["second"]["totals"]
    assert "nothing created or changed" in demo["second_output"]
    assert demo["first"]["created"]["residents"] == demo["first"]["totals"]["residents"]


def test_required_sizes(demo):
    totals = demo["second"]["totals"]
    assert totals["streets"] >= 2
    assert totals["communities"] >= 4
    assert totals["grids"] >= 20
    assert totals["micro_grids"] >= 1
    assert totals["residents"] >= 1000
    assert totals["special_records"] >= 5
    assert totals["departments"] >= 7
    grids = Region.objects.filter(level="grid", code__startswith=DISTRICT_CODE)
    kinds = Counter(grids.values_list("grid_kind", flat=True))
    assert kinds["basic"] > kinds["dedicated"] >= 1
    assert Organisation.objects.values("kind").distinct().count() == len(Organisation.Kind.values)
    assert set(HousingUnit.objects.values_list("usage", flat=True)) == set(HousingUnit.Usage.values)
    assert set(Resident.objects.values_list("residence_type", flat=True)) == set(Resident.ResidenceType.values)


def test_the_plan_is_deterministic():
    first, second = build_plan(), build_plan()
    assert [r["id_number"] for r in first.residents] == [r["id_number"] for r in second.residents]
    assert [r["name"] for r in first.residents] == [r["name"] for r in second.residents]


def test_some_grids_are_inside_the_household_band(demo, settings):
    band = range(settings.GONGZHI_GRID_HOUSEHOLDS_MIN, settings.GONGZHI_GRID_HOUSEHOLDS_MAX + 1)
    for code in FULL_GRIDS:
        grid = Region.objects.get(code=code, valid_to__isnull=True)
        assert Household.objects.filter(grid__path__startswith=grid.path).count() in band, code
    assert DEMO_GRID_CODE in FULL_GRIDS


def test_codes_nest_and_have_the_right_lengths(demo):
    nodes = list(Region.objects.filter(code__startswith=DISTRICT_CODE).order_by("path"))
    by_path = {n.path: n for n in nodes}
    for node in nodes:
        assert len(node.code) == CODE_LENGTH[node.level] and node.code.isdigit(), node.code
        assert node.valid_to is None
        node.clean()  # code, grid kind, former networks, boundary
        if node.depth > 1:
            parent = by_path[node.path[: node.steplen * (node.depth - 1)]]
            assert node.code.startswith(parent.code)
            assert len(node.code) == len(parent.code) + 3
    for grid in (n for n in nodes if n.level == "grid"):
        assert grid.grid_kind in ("basic", "dedicated")
        assert grid.absorbed_networks and set(grid.absorbed_networks) <= set(FormerNetwork.values)
        if grid.boundary is not None:
            assert geojson_polygon_problem(grid.boundary) is None
            for lon, lat in grid.boundary["coordinates"][0]:
                assert 116.0 < lon < 116.6 and 39.7 < lat < 40.1
    assert sum(1 for n in nodes if n.level == "grid" and n.boundary) >= 5


def test_buildings_belong_to_their_grids_community(demo):
    seen = set()
    for building in Building.objects.select_related("grid", "community"):
        assert re.fullmatch(r"\d{5}", building.number) and building.number != "00000"
        assert building.community.level == "community"
        assert building.grid.path.startswith(building.community.path)
        assert (building.community_id, building.number) not in seen
        seen.add((building.community_id, building.number))
    for unit in HousingUnit.objects.select_related("building"):
        assert unit.grid_id == unit.building.grid_id


def test_every_id_number_is_valid_and_agrees_with_the_record(demo):
    residents = list(Resident.objects.all())
    assert len({r.id_number for r in residents}) == len(residents)
    for r in residents:
        assert id_number_problem(r.id_number) is None, r.id_number
        assert birth_date_from_id(r.id_number) == r.birth_date
        assert gender_from_id(r.id_number) == r.gender
        assert r.id_number_hash == blind_index(r.id_number)
        assert r.phone == "" or re.fullmatch(r"1[358]\d{9}", r.phone), r.phone
        assert r.household is None or r.household.grid_id == r.grid_id
    assert sum(1 for r in residents if r.phone) > len(residents) // 2


def test_personal_data_is_encrypted_at_rest(demo):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM grids_resident")
        rows = cursor.fetchall()
    assert len(rows) >= 1000
    for id_number, phone in rows:
        assert id_number.startswith("v1:")
        assert not re.search(r"\d{17}[\dX]", id_number)
        assert phone == "" or (phone.startswith("v1:") and not re.search(r"1\d{10}", phone))


def test_organisation_credit_codes_are_valid_or_blank(demo):
    codes = [c for c in Organisation.objects.values_list("credit_code", flat=True) if c]
    assert codes and len(codes) == len(set(codes))
    assert all(credit_code_valid(code) for code in codes)
    assert Organisation.objects.filter(credit_code="").exists()


def test_care_groups_and_special_groups(demo):
    assert set(CareGroup.objects.values_list("code", flat=True)) >= {code for code, _ in CARE_GROUPS}
    tagged = Counter(Resident.care_groups.through.objects.values_list("caregroup__code", flat=True))
    for code, _ in CARE_GROUPS:
        assert tagged[code] >= 1, code
    residents = Resident.objects.count()
    assert sum(tagged.values()) < residents  # a plausible share, not everyone
    for record in SpecialGroupRecord.objects.select_related("resident"):
        assert record.grid_id == record.resident.grid_id


def test_workers_grades_and_grid_assignments(demo):
    ranges = {Worker.Post.HEAD: (7, 18), Worker.Post.DEPUTY: (4, 15), Worker.Post.STAFF: (1, 12)}
    for worker in Worker.objects.all():
        lo, hi = ranges[worker.post]
        assert lo <= worker.grade <= hi, (worker.post, worker.grade)
    for grid in Region.objects.filter(level="grid", code__startswith=DISTRICT_CODE):
        duties = Counter(GridAssignment.objects.filter(grid=grid, active=True).values_list("duty", flat=True))
        assert duties["full_time"] == 1 and duties["grid_head"] == 1, grid.code
        for assignment in GridAssignment.objects.filter(grid=grid).select_related("worker__community"):
            assert grid.path.startswith(assignment.worker.community.path)


def test_demo_accounts_are_bound_and_can_log_in(demo):
    request = RequestFactory().post("/accounts/login/")
    for spec in DEMO_ACCOUNTS:
        user = User.objects.get(username=spec.username)
        assert user.role == spec.role and user.is_active
        validate_password(DEMO_PASSWORD, user)
        assert authenticate(request, username=spec.username, password=DEMO_PASSWORD) == user
        if spec.region_code:
            assert user.region.code == spec.region_code
        else:
            assert user.region_id is None
        if spec.department_code:
            assert user.department.code == spec.department_code
    expected_levels = {"demo_grid": "grid", "demo_community": "community", "demo_street": "street",
                       "demo_district": "district"}
    for username, level in expected_levels.items():
        assert User.objects.get(username=username).region.level == level

    grid_user = User.objects.get(username="demo_grid")
    assert GridAssignment.objects.filter(worker=grid_user.worker, grid=grid_user.region, active=True,
                                         duty=GridAssignment.Duty.FULL_TIME).exists()
    handler = User.objects.get(username="demo_department")
    assert handler.department.district.code == DISTRICT_CODE

    street = User.objects.get(username="demo_street")
    assert street.may_view_special_groups
    assert AuditLog.objects.filter(action=AuditLog.Action.GRANT, username="demo_security",
                                   object_id=str(street.pk)).exists()
    assert not User.objects.filter(username__startswith="demo_", may_view_special_groups=True).exclude(
        username="demo_street").exists()
    assert not User.objects.filter(username__startswith="demo_", is_superuser=True).exists()
    assert Role.RESIDENT == User.objects.get(username="demo_resident").role


def test_demo_accounts_command_hides_passwords_in_production(demo, settings):
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for spec in DEMO_ACCOUNTS:
        assert spec.username in text

    settings.IS_PRODUCTION = True
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD not in text
    assert "demo_grid" in text and "production" in text
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())
