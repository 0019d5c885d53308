"""The default responsibility list: shape of the data, the seed's idempotence, department resolution by name."""

import io
import re

import pytest
from django.core.management import call_command

from governance.models import Department
from grids.data.categories import TREES, Leaf, Node, walk
from grids.models import Category, HandlingLevel
from grids.services.categories import category_is_reportable, category_seed_defaults
from tests.grids.categories.conftest import DEMO_DEPARTMENTS, snapshot

pytestmark = pytest.mark.django_db


def test_the_data_has_two_trees_of_three_levels_with_complete_leaves():
    codes = set()
    for tree, nodes in TREES.items():
        for parent_code, depth, entry in walk(nodes):
            assert entry.code not in codes, entry.code
            codes.add(entry.code)
            pattern = r"\d{2}" if tree == "event" else r"B\d{2}"
            assert re.fullmatch(pattern + rf"(\d{{2}}){{{depth - 1}}}", entry.code), entry.code
            if parent_code:
                assert entry.code.startswith(parent_code)
            if depth < 3:
                assert isinstance(entry, Node) and entry.children
            else:
                assert isinstance(entry, Leaf)
                limits = entry.limits
                assert 1 <= limits.sign_for_hours <= limits.handle_hours
                for value in (limits.urgent_handle_hours, limits.emergency_handle_hours):
                    assert value is None or value <= limits.handle_hours
                assert entry.level in HandlingLevel.values
                assert entry.opening and entry.closing and entry.keywords
                if entry.level == "department":
                    assert entry.department


@pytest.fixture
def seeded(tree, departments):
    first = category_seed_defaults(district=tree.district)
    return first


def test_seed_writes_at_least_six_top_classes_and_forty_reportable_leaves(seeded):
    assert seeded["created"] == Category.objects.count()
    tops = Category.objects.filter(depth=1)
    assert tops.count() >= 6
    assert set(tops.values_list("tree", flat=True)) == {"event", "component"}
    events = set(Category.objects.filter(depth=1, tree="event").values_list("name", flat=True))
    assert {"市容环境", "城市管理", "安全生产", "环境保护", "社会治安", "民生服务", "物业管理"} <= events
    components = set(Category.objects.filter(depth=1, tree="component").values_list("name", flat=True))
    assert {"公用设施", "道路交通", "市容环境设施", "园林绿化"} <= components
    leaves = list(Category.objects.filter(numchild=0).select_related("department"))
    assert len(leaves) >= 40
    for leaf in leaves:
        assert leaf.depth == 3 and category_is_reportable(leaf)
        assert leaf.handling_level and leaf.opening_conditions and leaf.closing_conditions and leaf.keywords
        assert 1 <= leaf.sign_for_hours <= leaf.handle_hours
        leaf.full_clean()
        if leaf.handling_level == "department":
            assert leaf.department is not None
    for name in ("井盖", "路灯", "消火栓", "公交站亭"):
        assert Category.objects.filter(tree="component", name__contains=name, numchild=0).exists(), name


def test_departments_resolve_by_name_within_the_district(seeded, departments):
    assert Category.objects.get(code="020202").department == departments["ZJ"]  # 工地扬尘 → 住建局
    assert Category.objects.get(code="060101").department == departments["GS"]  # 停水 → 供水公司
    gas = Category.objects.get(code="030201")  # 燃气泄漏
    assert (gas.handling_level, gas.department, gas.sign_for_hours, gas.handle_hours) == (
        "department", departments["RQ"], 1, 2)
    assert Category.objects.get(code="060102").emergency_handle_hours == 2


def test_an_ambiguous_department_stays_with_the_street_with_a_warning(seeded):
    noise = Category.objects.get(code="040301")  # 社会生活噪声 → 派出所: two stations in the district
    assert (noise.handling_level, noise.department) == ("street", None)
    assert any(w.startswith("派出所") and "040301" in w for w in seeded["warnings"])


def test_seeding_again_changes_nothing(seeded, tree):
    before = snapshot()
    again = category_seed_defaults(district=tree.district)
    assert again["created"] == again["completed"] == 0
    assert again["existing"] == len(before)
    assert snapshot() == before


def test_without_departments_nothing_fails_and_a_later_run_completes_the_departments(tree):
    first = category_seed_defaults(district=tree.district)
    assert first["created"] > 40 and first["warnings"]
    assert not Category.objects.filter(handling_level="department").exists()
    assert Category.objects.get(code="020202").handling_level == "street"
    for code, name, kind in DEMO_DEPARTMENTS:
        Department.objects.create(code=f"X-{code}", name=name, kind=kind, district=tree.district)
    second = category_seed_defaults(district=tree.district)
    assert second["created"] == 0 and second["completed"] > 20
    works = Category.objects.get(code="020202")
    assert (works.handling_level, works.department.name) == ("department", "示范区住房和城乡建设局（住建局）")
    third = category_seed_defaults(district=tree.district)
    assert third["created"] == third["completed"] == 0


def test_the_command_uses_the_only_district_and_reports(tree, departments):
    out = io.StringIO()
    call_command("seed_categories", stdout=out)
    text = out.getvalue()
    assert f"district {tree.district.code}" in text and "created" in text and "warning: 派出所" in text
    out = io.StringIO()
    call_command("seed_categories", "--district", tree.district.code, stdout=out)
    assert " 0 created" in out.getvalue()
