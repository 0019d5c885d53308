"""Fixtures of the page tests: one account per role over the factory tree, and a few rows in several grids.

Tree (tests.factories.make_tree): district → streets[0..1] → communities[0..3] (0, 1 in street 0) →
grids[0..7] (0, 1 in community 0; 2, 3 in community 1; 4.. in street 1)."""

from types import SimpleNamespace

import pytest

from governance.models import Role
from tests.factories import DepartmentFactory, make_grid_worker, make_user


@pytest.fixture
def people(tree):
    return SimpleNamespace(
        grid_worker=make_grid_worker(tree.grids[0]),
        community_staff=make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]),
        street_staff=make_user(Role.STREET_STAFF, region=tree.streets[0]),
        district_official=make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
        resident=make_user(Role.RESIDENT),
        department_handler=make_user(Role.DEPARTMENT_HANDLER, department=DepartmentFactory(district=tree.district)),
        system_admin=make_user(Role.SYSTEM_ADMIN),
        security_admin=make_user(Role.SECURITY_ADMIN),
        auditor=make_user(Role.AUDITOR),
    )


NO_REGISTER_ROLES = ["resident", "department_handler", "system_admin", "security_admin", "auditor"]


@pytest.fixture
def client_for(client_for, settings):
    """The shared client_for, with the English interface chosen (language cookie), so assertions on page text
    use the stable English message ids whatever the zh-hans catalogue says."""

    def make(user):
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def client(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
