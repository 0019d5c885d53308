import pytest

from grids.models import Household
from grids.selectors.regions import flatten, region_tree
from tests.factories import HouseholdFactory, ResidentFactory, make_grid_worker, make_user

pytestmark = pytest.mark.django_db


def test_counts_roll_up_and_stay_in_scope(tree):
    from governance.models import Role

    official = make_user(Role.DISTRICT_OFFICIAL, region=tree.district)
    community_staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    for grid, n in ((tree.grids[0], 3), (tree.grids[1], 2), (tree.grids[4], 4)):
        HouseholdFactory.create_batch(n, grid=grid)
        ResidentFactory.create_batch(n, grid=grid)
    make_grid_worker(tree.grids[0])

    roots = region_tree(user=official)
    assert len(roots) == 1 and roots[0].households == 9 and roots[0].residents == 9 and roots[0].workers == 1
    nodes = {n.region.pk: n for n in flatten(roots)}
    assert nodes[tree.communities[0].pk].households == 5
    assert nodes[tree.grids[0].pk].outside_band  # 3 households: far below 300

    staff_nodes = flatten(region_tree(user=community_staff))
    assert {n.region.pk for n in staff_nodes} == {tree.communities[0].pk, tree.grids[0].pk, tree.grids[1].pk}


def test_tree_query_count_is_flat(tree, count_queries):
    from governance.models import Role

    official = make_user(Role.DISTRICT_OFFICIAL, region=tree.district)
    region_tree(user=official)
    official = type(official).objects.get(pk=official.pk)  # a fresh request's user
    few = count_queries(lambda: region_tree(user=official))
    for grid in tree.grids:
        HouseholdFactory.create_batch(3, grid=grid)
        ResidentFactory.create_batch(3, grid=grid)
    official = type(official).objects.get(pk=official.pk)
    many = count_queries(lambda: region_tree(user=official))
    assert many == few
    assert Household.objects.count() == 24
