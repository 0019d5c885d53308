"""listings.selectors.catalogue and in_force_q: the lists in force on a day (boundaries included), the district of
a region or an account, scoped access, the catalogue filters and the item history."""

import datetime

import pytest
from django.utils import translation

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Role
from listings.models import ListItem, in_force_q
from listings.selectors.catalogue import (
    access_list_item,
    access_list_kind,
    can_edit_lists,
    catalogue_items,
    district_for_region,
    district_of_user,
    item_history,
    items_in_force,
    lists_in_force,
    public_places,
)
from listings.services.catalogue import list_item_set_status, list_item_update
from tests.factories import DepartmentFactory, make_user
from tests.listings.factories import make_list_item, make_list_kind

pytestmark = pytest.mark.django_db

D = datetime.date


def _in_force(day) -> set[str]:
    return set(ListItem.objects.filter(in_force_q(day)).values_list("code", flat=True))


@pytest.mark.parametrize(("day", "expected"), [
    (D(2024, 12, 31), set()),
    (D(2025, 1, 1), {"open", "bounded", "repealed-later", "suspended-later"}),  # first day counts
    (D(2025, 6, 30), {"open", "bounded", "repealed-later", "suspended-later"}),  # last day counts
    (D(2025, 7, 1), {"open", "repealed-later", "suspended-later"}),
    (D(2025, 12, 31), {"open", "repealed-later", "suspended-later"}),
    (D(2026, 1, 1), {"open"}),
])
def test_in_force_boundaries(assisting, day, expected):
    make_list_item(kind=assisting, code="open", valid_from=D(2025, 1, 1))
    make_list_item(kind=assisting, code="bounded", valid_from=D(2025, 1, 1), valid_to=D(2025, 6, 30))
    # Repealed / suspended with effect from 2026-01-01: in force up to their last day, 2025-12-31.
    make_list_item(kind=assisting, code="repealed-later", valid_from=D(2025, 1, 1), valid_to=D(2025, 12, 31),
                   status="repealed")
    make_list_item(kind=assisting, code="suspended-later", valid_from=D(2025, 1, 1), valid_to=D(2025, 12, 31),
                   status="suspended")
    # Stopped before it ever started: never in force.
    make_list_item(kind=assisting, code="never", valid_from=D(2025, 1, 1), status="repealed")

    assert _in_force(day) == expected
    items = ListItem.objects.all()
    assert {item.code for item in items if item.in_force_on(day)} == expected  # the model agrees with the query
    assert {item.code for item in ListItem.objects.filter(in_force_q(day, prefix="revisions__item__"))} == expected


def test_lists_in_force_gives_each_list_its_items_in_two_queries(tree, other_tree, django_assert_num_queries):
    negative = make_list_kind(district=tree.district, purpose="negative", code="negative", position=2)
    assisting = make_list_kind(district=tree.district, purpose="assisting", code="assisting", position=1)
    make_list_item(kind=assisting, code="b", position=2)
    make_list_item(kind=assisting, code="a", position=1)
    make_list_item(kind=assisting, code="old", valid_to=D(2024, 6, 30))
    make_list_item(kind=negative, code="n1")
    make_list_kind(district=other_tree.district, purpose="assisting", code="assisting")

    with django_assert_num_queries(2):
        kinds = lists_in_force(district=tree.district, day=D(2025, 1, 1))
        summary = [(kind.code, [item.code for item in kind.items_in_force]) for kind in kinds]
    assert summary == [("assisting", ["a", "b"]), ("negative", ["n1"])]
    only_negative = lists_in_force(district=tree.district, day=D(2025, 1, 1), purposes=["negative"])
    assert [kind.code for kind in only_negative] == ["negative"]
    assert [i.code for i in items_in_force(district=tree.district, day=D(2024, 3, 1))] == ["old", "a", "b", "n1"]


def test_district_for_region(tree):
    assert district_for_region(tree.district) == tree.district
    for region in (tree.streets[1], tree.communities[3], tree.grids[7]):
        assert district_for_region(region) == tree.district
    assert district_for_region(None) is None


def test_district_of_user(tree):
    department = DepartmentFactory(district=tree.district)
    assert district_of_user(make_user(Role.GRID_WORKER, region=tree.grids[0])) == tree.district
    assert district_of_user(make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])) == tree.district
    assert district_of_user(make_user(Role.DEPARTMENT_HANDLER, department=department)) == tree.district
    assert district_of_user(make_user(Role.RESIDENT, region=tree.communities[0])) is None
    assert district_of_user(make_user(Role.AUDITOR)) is None


def test_only_an_official_bound_to_the_district_itself_edits(tree, other_tree):
    assert can_edit_lists(make_user(Role.DISTRICT_OFFICIAL, region=tree.district), tree.district)
    assert not can_edit_lists(make_user(Role.DISTRICT_OFFICIAL, region=tree.district), other_tree.district)
    assert not can_edit_lists(make_user(Role.STREET_STAFF, region=tree.streets[0]), tree.district)


def test_access_is_scoped_to_the_users_district(tree, other_tree, assisting):
    item = make_list_item(kind=assisting)
    reader = make_user(Role.COMMUNITY_STAFF, region=tree.communities[2])
    outsider = make_user(Role.COMMUNITY_STAFF, region=other_tree.communities[0])
    assert access_list_item(user=reader, item_id=item.pk) == item
    assert access_list_kind(user=reader, kind_id=assisting.pk) == assisting
    for user, key in ((outsider, item.pk), (reader, 999999), (reader, "abc")):
        with pytest.raises(NotFoundOrForbidden):
            access_list_item(user=user, item_id=key)
    with pytest.raises(NotFoundOrForbidden):
        access_list_kind(user=outsider, kind_id=assisting.pk)
    with pytest.raises(NotFoundOrForbidden):
        access_list_item(user=make_user(Role.RESIDENT, region=tree.communities[0]), item_id=item.pk)


def test_catalogue_filters(tree, assisting, forbidden):
    make_list_item(kind=assisting, code="XZ-01", name="协助开展低保入户调查", keywords="低保")
    make_list_item(kind=assisting, code="XZ-02", name="协助消防宣传", valid_to=D(2024, 12, 31), status="repealed")
    make_list_item(kind=forbidden, code="ZM-05", name="无犯罪记录证明", issuing_office="公安派出所")

    def codes(**kwargs):
        return [item.code for item in catalogue_items(district=tree.district, **kwargs)]

    assert codes(day=D(2025, 1, 1)) == ["XZ-01", "ZM-05"]
    assert codes(day=D(2024, 6, 1)) == ["XZ-01", "XZ-02", "ZM-05"]
    assert codes(day=D(2025, 1, 1), kind=forbidden) == ["ZM-05"]
    assert codes(status="repealed") == ["XZ-02"]
    assert codes(status="all", q="低保") == ["XZ-01"]
    assert codes(status="all", q="派出所") == []  # the office that issues instead is not searched
    assert codes(status="all", q="zm-05") == ["ZM-05"]


def test_item_history_names_the_changed_fields(official, assisting):
    item = make_list_item(kind=assisting, name="旧名称")
    item = list_item_update(actor=official, item=item, name="新名称", keywords="低保")
    list_item_set_status(actor=official, item=item, status="suspended", note="暂停")

    with translation.override("en"):
        history = item_history(item=item)
        assert [r.version for r in history] == [3, 2, 1]
        assert set(history[1].changed_fields) == {"name", "matching keywords"}
        assert set(history[0].changed_fields) == {"status", "valid to"}
        assert str(history[0].status_label) == "Suspended"
        assert history[2].changed_fields == []


def test_public_places_group_communities_by_street(tree, other_tree):
    groups = public_places()
    labels = [group["label"] for group in groups]
    assert labels[1:] == ["测试区110101 · 第1街道", "测试区110101 · 第2街道", "测试区110102 · 第1街道",
                          "测试区110102 · 第2街道"]
    assert groups[0]["options"] == [(tree.district.pk, tree.district.name), (other_tree.district.pk,
                                                                             other_tree.district.name)]
    assert groups[1]["options"] == [(c.pk, c.name) for c in tree.communities[:2]]
