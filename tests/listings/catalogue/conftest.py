"""Fixtures of the list-catalogue tests: a district with its official, a second district, and a few lists."""

import pytest

from governance.models import Role
from tests.factories import DepartmentFactory, make_tree, make_user
from tests.listings.factories import make_list_kind


@pytest.fixture
def official(tree):
    """A district official bound to the tree's district: may change its lists."""
    return make_user(Role.DISTRICT_OFFICIAL, region=tree.district)


@pytest.fixture
def other_tree(db):
    return make_tree(prefix="110102")


@pytest.fixture
def other_official(other_tree):
    return make_user(Role.DISTRICT_OFFICIAL, region=other_tree.district)


@pytest.fixture
def department(tree):
    return DepartmentFactory(district=tree.district, name="测试区民政局", code="110101-MZ")


@pytest.fixture
def assisting(tree):
    return make_list_kind(district=tree.district, purpose="assisting", code="assisting")


@pytest.fixture
def forbidden(tree):
    return make_list_kind(district=tree.district, purpose="certificate_forbidden", code="certificates-forbidden")
