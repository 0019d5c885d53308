"""Fixtures of the responsibility-list tests: the factory district with the demo's departments, accounts per role,
and a small hand-built category tree."""

import io
from types import SimpleNamespace

import pytest
from openpyxl import Workbook, load_workbook

from governance.models import Department, Role
from grids.models import Category
from tests.factories import DepartmentFactory, make_grid_worker, make_user

# The demo district's departments (grids.services.demo.DEPARTMENTS), minus the district code prefix.
DEMO_DEPARTMENTS = (
    ("CGZF", "示范区城市管理综合行政执法局（城管执法局）", Department.Kind.GOVERNMENT),
    ("ZJ", "示范区住房和城乡建设局（住建局）", Department.Kind.GOVERNMENT),
    ("SCJG", "示范区市场监督管理局（市场监管局）", Department.Kind.GOVERNMENT),
    ("MZ", "示范区民政局", Department.Kind.GOVERNMENT),
    ("HB", "示范区生态环境局", Department.Kind.GOVERNMENT),
    ("GA-DH", "示范区公安分局东湖派出所", Department.Kind.POLICE),
    ("GA-NY", "示范区公安分局南苑派出所", Department.Kind.POLICE),
    ("GS", "示范区自来水公司（供水公司）", Department.Kind.UTILITY),
    ("GD", "示范区供电公司", Department.Kind.UTILITY),
    ("RQ", "示范区燃气公司", Department.Kind.UTILITY),
)


@pytest.fixture
def departments(tree):
    return {code: Department.objects.create(code=f"{tree.district.code}-{code}", name=name, kind=kind,
                                            district=tree.district)
            for code, name, kind in DEMO_DEPARTMENTS}


@pytest.fixture
def people(tree, departments):
    return SimpleNamespace(
        grid_worker=make_grid_worker(tree.grids[0]),
        community_staff=make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]),
        street_staff=make_user(Role.STREET_STAFF, region=tree.streets[0]),
        district_official=make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
        department_handler=make_user(Role.DEPARTMENT_HANDLER, department=departments["CGZF"]),
        resident=make_user(Role.RESIDENT),
        system_admin=make_user(Role.SYSTEM_ADMIN),
        security_admin=make_user(Role.SECURITY_ADMIN),
        auditor=make_user(Role.AUDITOR),
    )


@pytest.fixture
def official(people):
    return people.district_official


@pytest.fixture
def other_district_department(db):
    from tests.factories import make_tree

    other = make_tree("110102")
    return DepartmentFactory(district=other.district, name="外区住建局")


def add(parent, code, name, **fields):
    """A category written directly (no service), for arranging tests."""
    tree = fields.pop("tree", parent.tree if parent is not None else "event")
    node = Category(tree=tree, code=code, name=name, **fields)
    if parent is None:
        return Category.objects.add_root(instance=node)
    return Category.objects.add_child(Category.objects.get(pk=parent.pk), instance=node)


@pytest.fixture
def small_tree(departments):
    """01 市容环境 > 0101 环境卫生 > 010101 暴露垃圾 (community), 010102 积存渣土 (department 城管);
    B01 公用设施 > B0101 井盖 > B010101 上水井盖 (department 供水)."""
    top = add(None, "01", "市容环境")
    mid = add(top, "0101", "环境卫生")
    garbage = add(mid, "010101", "暴露垃圾", handling_level="community", keywords="垃圾 堆放",
                  opening_conditions="公共区域暴露垃圾。", closing_conditions="清运完毕。")
    spoil = add(mid, "010102", "积存渣土", handling_level="department", department=departments["CGZF"],
                keywords="渣土 遗撒", urgent_handle_hours=72)
    ctop = add(None, "B01", "公用设施", tree="component")
    cmid = add(ctop, "B0101", "井盖")
    cover = add(cmid, "B010101", "上水井盖", handling_level="department", department=departments["GS"],
                sign_for_hours=2, handle_hours=24, urgent_handle_hours=8, emergency_handle_hours=2, keywords="井盖")
    return SimpleNamespace(top=top, mid=mid, garbage=garbage, spoil=spoil, ctop=ctop, cmid=cmid, cover=cover)


def make_xlsx(headers, rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes) -> list[list]:
    return [list(row) for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]


def snapshot() -> list[tuple]:
    """Every stored field of every category, to prove that nothing changed."""
    return [tuple(row.values()) for row in Category.objects.order_by("path").values()]
