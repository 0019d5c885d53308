"""Reads of the responsibility list: the intake picker's leaves (search, tree, reportable only) and the tree rows."""

import pytest

from grids.models import Category
from grids.selectors.categories import category_leaves, category_tree_rows
from grids.services.categories import category_deactivate
from tests.grids.categories.conftest import add

pytestmark = pytest.mark.django_db


def codes(queryset) -> list[str]:
    return [category.code for category in queryset]


def test_leaves_are_the_active_reportable_ones_in_tree_order(small_tree):
    assert codes(category_leaves()) == ["010101", "010102", "B010101"]
    assert codes(category_leaves(tree="component")) == ["B010101"]


@pytest.mark.parametrize("q, expected", [
    ("垃圾", ["010101"]),  # name
    ("遗撒", ["010102"]),  # keyword
    ("0101", ["010101", "010102"]),  # code prefix
    ("B0101", ["B010101"]),
    ("渣土 遗撒", ["010102"]),  # every term must match
    ("渣土 井盖", []),
    ("  ", ["010101", "010102", "B010101"]),
    ("不存在", []),
])
def test_leaves_search_over_name_keywords_and_code(small_tree, q, expected):
    assert codes(category_leaves(q=q)) == expected


def test_inactive_items_and_items_with_active_children_are_not_offered(official, small_tree):
    add(small_tree.garbage, "01010101", "生活垃圾", handling_level="community")
    assert "010101" not in codes(category_leaves()) and "01010101" in codes(category_leaves())
    category_deactivate(actor=official, category=small_tree.cmid)
    assert codes(category_leaves(tree="component")) == []


def test_leaves_carry_the_department_in_one_query(small_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [leaf.department.name if leaf.department else None for leaf in category_leaves()]
    assert names[1] == "示范区城市管理综合行政执法局（城管执法局）"


def test_tree_rows_in_path_order_in_one_query(small_tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = category_tree_rows(tree="event")
        summary = [(r.code, r.depth, r.is_leaf, r.is_reportable, r.department.code if r.department else "")
                   for r in rows]
    assert summary == [("01", 1, False, False, ""), ("0101", 2, False, False, ""), ("010101", 3, True, True, ""),
                       ("010102", 3, True, True, small_tree.spoil.department.code)]
    assert category_tree_rows(tree="nonsense") == []


def test_tree_rows_see_an_inactive_ancestor(small_tree):
    Category.objects.filter(pk=small_tree.top.pk).update(is_active=False)  # bypassing the services' cascade
    rows = {r.code: r for r in category_tree_rows(tree="event")}
    assert rows["010101"].is_active and not rows["010101"].is_reportable
