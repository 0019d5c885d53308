"""Point-in-polygon over GeoJSON boundaries (pure functions) and the grid lookup."""

import datetime

import pytest

from grids.models import Region
from grids.open311.geo import boundary_area, boundary_contains, grid_for_code, grid_for_point, point_in_ring
from tests.grids.open311.helpers import IN_GRID_0, IN_RETIRED, IN_SCHOOL, OUTSIDE, square

RING = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]
HOLE = [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]
CONCAVE = [[0, 0], [10, 0], [10, 10], [5, 5], [0, 10], [0, 0]]     # a notch from the top


@pytest.mark.parametrize("point, inside", [((5, 5), True), ((0.1, 9.9), True), ((11, 5), False), ((-1, -1), False),
                                           ((5, 10.01), False)])
def test_point_in_ring(point, inside):
    assert point_in_ring(point[0], point[1], RING) is inside


def test_concave_ring():
    assert point_in_ring(5, 2, CONCAVE)
    assert not point_in_ring(5, 8, CONCAVE)           # inside the notch


def test_holes_and_multipolygons():
    donut = {"type": "Polygon", "coordinates": [RING, HOLE]}
    assert boundary_contains(donut, 2, 2)
    assert not boundary_contains(donut, 5, 5)
    multi = {"type": "MultiPolygon", "coordinates": [[RING], [[[20, 20], [30, 20], [30, 30], [20, 20]]]]}
    assert boundary_contains(multi, 25, 22) and boundary_contains(multi, 1, 1) and not boundary_contains(multi, 15, 15)
    assert boundary_area(donut) == 100 - 4


@pytest.mark.parametrize("boundary", [None, {}, {"type": "Point", "coordinates": [1, 2]}, {"type": "Polygon"},
                                      {"type": "Polygon", "coordinates": "x"}, {"type": "Polygon", "coordinates": [[]]},
                                      {"type": "Polygon", "coordinates": [[["a", "b"], [1]]]}, [1, 2]])
def test_malformed_boundaries_contain_nothing(boundary):
    assert boundary_contains(boundary, 1, 1) is False


@pytest.mark.django_db
def test_grid_lookup(world):
    assert grid_for_point(lat=IN_GRID_0[0], lon=IN_GRID_0[1]) == world.grids[0]
    assert grid_for_point(lat=IN_SCHOOL[0], lon=IN_SCHOOL[1]) == world.grids[3]
    assert grid_for_point(lat=OUTSIDE[0], lon=OUTSIDE[1]) is None
    assert grid_for_point(lat=IN_RETIRED[0], lon=IN_RETIRED[1]) is None      # that grid version has ended
    assert grid_for_point(lat=float("nan"), lon=1.0) is None
    assert grid_for_code(world.grids[1].code) == world.grids[1]
    assert grid_for_code(world.grids[4].code) is None                        # ended
    assert grid_for_code(world.tree.communities[0].code) is None             # not a grid
    assert grid_for_code("'; drop table") is None


@pytest.mark.django_db
def test_a_grid_version_not_yet_started_is_not_current(world):
    Region.objects.filter(pk=world.grids[5].pk).update(boundary=square(0, 0, 1, 1),
                                                       valid_from=datetime.date.today() + datetime.timedelta(days=5))
    assert grid_for_point(lat=0.5, lon=0.5) is None


@pytest.mark.django_db
def test_a_broken_boundary_saved_around_validation_does_not_break_the_lookup(world):
    Region.objects.filter(pk=world.grids[6].pk).update(boundary={"type": "Polygon", "coordinates": [[[1, 2], "x"]]})
    assert grid_for_point(lat=IN_GRID_0[0], lon=IN_GRID_0[1]) == world.grids[0]
