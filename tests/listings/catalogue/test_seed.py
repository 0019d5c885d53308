"""seed_demo_lists: the demo district's six lists, realistic and deterministic, and a second run changes nothing."""

import datetime
import io

import pytest

from governance.models import AuditLog, Department
from grids.services.demo import DEPARTMENTS
from listings.models import ListItem, ListItemRevision, ListKind, in_force_q
from listings.services.demo import seed_demo_lists
from tests.factories import make_tree

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def demo_district(db):
    """A district with the demo district's code and the demo departments (as grids.services.demo seeds them)."""
    tree = make_tree(prefix="110199")
    for code, name, kind, phone in DEPARTMENTS:
        Department.objects.create(code=code, name=name, kind=kind, phone=phone, district=tree.district)
    return tree.district


def _counts(district, day):
    return {kind.code: kind.items.filter(in_force_q(day)).count()
            for kind in ListKind.objects.filter(district=district)}


def test_seed_loads_the_six_lists(demo_district):
    out = io.StringIO()
    seed_demo_lists(stdout=out)

    kinds = list(ListKind.objects.filter(district=demo_district).order_by("position"))
    assert [(k.code, k.purpose) for k in kinds] == [
        ("self-governance", "self_governance"), ("assisting", "assisting"), ("negative", "negative"),
        ("certificates-forbidden", "certificate_forbidden"), ("certificates", "certificate"), ("micro-power", "other")]
    assert _counts(demo_district, D(2026, 6, 1)) == {
        "self-governance": 20, "assisting": 27, "negative": 7, "certificates-forbidden": 20, "certificates": 6,
        "micro-power": 6}
    # The repealed sample item is still in the lists of 2025.
    assert _counts(demo_district, D(2025, 6, 1))["assisting"] == 28
    assert "created this run: 6 lists, 87 items" in out.getvalue()


def test_seed_items_are_complete_and_marked(demo_district):
    seed_demo_lists()
    items = ListItem.objects.filter(kind__district=demo_district).select_related("kind", "responsible_department")
    forbidden = [i for i in items if i.kind.code == "certificates-forbidden"]
    assert len(forbidden) == 20 and all(i.issuing_office for i in forbidden)
    assert {i.name for i in forbidden} >= {"无犯罪记录证明", "亲属关系证明", "证件遗失证明", "健在证明"}
    assert not any(i.is_sample for i in forbidden)  # the national list is real data
    assisting = [i for i in items if i.kind.code == "assisting"]
    assert all(i.is_sample for i in assisting)
    assert all(i.legal_basis and (i.responsible_department or i.responsible_body) for i in assisting)
    assert sum(1 for i in assisting if i.funding_yuan) >= 5
    assert {i.responsible_department.code for i in assisting if i.responsible_department} >= {
        "110199-MZ", "110199-ZJ", "110199-CGZF", "110199-GA-DH"}
    assert all(i.keywords for i in items if i.kind.code != "self-governance" or i.code != "ZZ-07")
    law = next(i for i in items if i.code == "ZZ-05")
    assert "城市居民委员会组织法" in law.legal_basis and not law.is_sample
    assert all(i.version == 1 and i.revisions.count() == 1 for i in items if i.code != "XZ-28")
    repealed = ListItem.objects.get(kind__district=demo_district, code="XZ-28")
    assert (repealed.status, repealed.valid_to, repealed.version) == ("repealed", D(2025, 12, 31), 2)
    assert repealed.revisions.get(version=2).change == "status"


def test_seed_twice_changes_nothing(demo_district):
    seed_demo_lists()
    before = (ListKind.objects.count(), ListItem.objects.count(), ListItemRevision.objects.count(),
              AuditLog.objects.count(), sorted(ListItem.objects.values_list("code", "version", "updated_at")))
    out = io.StringIO()
    seed_demo_lists(stdout=out)
    after = (ListKind.objects.count(), ListItem.objects.count(), ListItemRevision.objects.count(),
             AuditLog.objects.count(), sorted(ListItem.objects.values_list("code", "version", "updated_at")))
    assert after == before
    assert "created this run: 0 lists, 0 items" in out.getvalue()


def test_seed_is_deterministic(demo_district):
    seed_demo_lists()
    first = sorted(ListItem.objects.values_list("kind__code", "code", "name", "position", "valid_from", "is_sample",
                                                "funding_yuan", "responsible_department__code"))
    ListItemRevision.objects.all().delete()
    ListItem.objects.all().delete()
    ListKind.objects.all().delete()
    seed_demo_lists()
    second = sorted(ListItem.objects.values_list("kind__code", "code", "name", "position", "valid_from", "is_sample",
                                                 "funding_yuan", "responsible_department__code"))
    assert first == second


def test_seed_without_the_demo_district_does_nothing(db):
    make_tree(prefix="110101")
    out = io.StringIO()
    seed_demo_lists(stdout=out)
    assert not ListKind.objects.exists()
    assert "110199" in out.getvalue()


def test_seed_completes_a_partial_load(demo_district):
    seed_demo_lists()
    ListItem.objects.filter(code="XZ-05").get().revisions.all().delete()
    ListItem.objects.filter(code="XZ-05").delete()
    seed_demo_lists()
    assert ListItem.objects.filter(code="XZ-05").count() == 1
    assert ListItem.objects.filter(kind__district=demo_district).count() == 87
