"""Fixtures of the metrics tests: the category, a micro-grid, two departments and the hand-computed cohort."""

import pytest

from governance.models import Department
from grids.models import Category, Region
from tests.grids.metrics.helpers import NOW, T0, D, H, case


@pytest.fixture
def category(db):
    top = Category.objects.add_root(instance=Category(tree="event", code="01", name="市容环境"))
    mid = Category.objects.add_child(top, instance=Category(tree="event", code="0101", name="环境卫生"))
    return Category.objects.add_child(mid, instance=Category(tree="event", code="010101", name="暴露垃圾",
                                                             handling_level="community"))


@pytest.fixture
def micro_grid(tree):
    return Region.objects.add_child(tree.grids[0], create_kwargs=dict(level="micro_grid", name="1号楼微网格",
                                                                      code=f"{tree.grids[0].code}001"))


@pytest.fixture
def departments(tree):
    return [Department.objects.create(code=f"D{n}", name=f"部门{n}", district=tree.district) for n in range(2)]


@pytest.fixture
def cohort(tree, category, micro_grid, departments):
    d1, d2 = departments
    g0, g1 = tree.grids[0], tree.grids[1]
    return {
        "c1": case(g0, category, "rated", signed=2 * H, phone="13800000001", contact=3 * H, answered=2 * D,
                   closed=3 * D, resolution="resolved", satisfaction="satisfied",
                   lead=[(d1, "done"), (d1, "pending")]),  # reopened and sent to d1 again: still one case for d1
        "c2": case(g0, category, "rated", signed=30 * H, answered=7 * D, closed=8 * D, rework=1, resolution="partly",
                   satisfaction="basically", lead=[(d1, "signed")]),
        "c3": case(g0, category, "in_hand", signed=5 * H, phone="13800000003", answered=1 * D, rework=1, extension=1,
                   lead=[(d1, "returned"), (d2, "pending")]),  # d1 returned it (退单): d2's case only
        "c4": case(g0, category, "closed", signed=3 * H, phone="13800000004", anonymous=True, answered=4 * D,
                   closed=5 * D, resolution="unresolved", satisfaction="dissatisfied", lead=[(d2, "done")], co=[d1]),
        "c5": case(g1, category, "dispatched", sign_for_by=NOW + 23 * H, handle_by=NOW + 7 * D),
        "c6": case(g1, category, "signed", signed=11 * H, phone="13800000006"),
        "c7": case(micro_grid, category, "registered", dispatched=False),
        "c8": case(g1, category, "dispatched"),
        "out": case(g0, category, "rated", registered=T0 - D, signed=2 * H, answered=D, closed=2 * D,
                    resolution="resolved", satisfaction="satisfied", lead=[(d1, "done")]),
        "c10": case(tree.grids[2], category, "registered", dispatched=False, lead=[(d1, "withdrawn")]),
    }
