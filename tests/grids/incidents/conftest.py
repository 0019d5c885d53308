import pytest


@pytest.fixture
def world(db):
    from tests.grids.incidents.factories import make_world

    return make_world()
