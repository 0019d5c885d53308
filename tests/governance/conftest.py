import pytest

from governance.models import Role
from tests.factories import DepartmentFactory, make_user


@pytest.fixture
def department(tree):
    return DepartmentFactory(district=tree.district)


@pytest.fixture
def system_admin(db):
    return make_user(Role.SYSTEM_ADMIN, username="sysadmin")


@pytest.fixture
def security_admin(db):
    return make_user(Role.SECURITY_ADMIN, username="secadmin")


@pytest.fixture
def auditor(db):
    return make_user(Role.AUDITOR, username="auditor")


@pytest.fixture
def users_by_role(tree, department):
    """One active account per role, each bound as its role requires."""
    return {
        Role.RESIDENT: make_user(Role.RESIDENT),
        Role.GRID_WORKER: make_user(Role.GRID_WORKER, region=tree.grids[0]),
        Role.COMMUNITY_STAFF: make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]),
        Role.STREET_STAFF: make_user(Role.STREET_STAFF, region=tree.streets[0]),
        Role.DEPARTMENT_HANDLER: make_user(Role.DEPARTMENT_HANDLER, department=department),
        Role.DISTRICT_OFFICIAL: make_user(Role.DISTRICT_OFFICIAL, region=tree.district),
        Role.SYSTEM_ADMIN: make_user(Role.SYSTEM_ADMIN),
        Role.SECURITY_ADMIN: make_user(Role.SECURITY_ADMIN),
        Role.AUDITOR: make_user(Role.AUDITOR),
    }
