"""workforce.services: roster writes re-check role and jurisdiction, grade ranges per post (3岗18级), phones,
the optional account link, and grid assignments inside the worker's community."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from governance.lib.exceptions import PermissionDeniedError
from governance.models import AuditLog, Role
from tests.factories import WorkerFactory, make_grid_worker, make_user
from workforce.models import GridAssignment, Worker
from workforce.services import (
    grade_range,
    worker_assign_to_grid,
    worker_create,
    worker_end_assignment,
    worker_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the English part of messages; pages default to zh-hans."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(tree):
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


def _errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_create_a_worker(tree, staff):
    worker = worker_create(actor=staff, community=tree.communities[0], name=" 李娜 ", post=Worker.Post.HEAD,
                           title="书记", grade=9, phone="+86 138 1234 5678", hire_date=datetime.date(2020, 3, 1))
    worker.refresh_from_db()
    assert worker.name == "李娜" and worker.grade == 9 and worker.phone == "13812345678"
    assert AuditLog.objects.filter(action=AuditLog.Action.CREATE, object_type="workforce.worker").count() == 1


@pytest.mark.parametrize(("post", "good", "bad"), [
    (Worker.Post.HEAD, (7, 18), (6, 19)),
    (Worker.Post.DEPUTY, (4, 15), (3, 16)),
    (Worker.Post.STAFF, (1, 12), (0, 13)),
])
def test_grade_must_fit_the_post(tree, staff, post, good, bad):
    assert grade_range(post) == good
    for grade in good:
        worker_create(actor=staff, community=tree.communities[0], name=f"工作者{post}{grade}", post=post, grade=grade)
    for grade in bad:
        with pytest.raises(ValidationError) as exc:
            worker_create(actor=staff, community=tree.communities[0], name="越级", post=post, grade=grade)
        assert "grade" in _errors(exc)
        assert f"{good[0]}" in _errors(exc)["grade"][0] and f"{good[1]}" in _errors(exc)["grade"][0]
    assert not Worker.objects.filter(name="越级").exists()


def test_grade_ranges_are_configurable(tree, staff, settings):
    settings.GONGZHI_WORKER_GRADE_RANGES = {"head": (10, 18), "deputy": (4, 15), "staff": (1, 12)}
    with pytest.raises(ValidationError):
        worker_create(actor=staff, community=tree.communities[0], name="书记", post=Worker.Post.HEAD, grade=8)


def test_changing_the_post_rechecks_the_grade(tree, staff):
    worker = worker_create(actor=staff, community=tree.communities[0], name="王", post=Worker.Post.STAFF, grade=2)
    with pytest.raises(ValidationError) as exc:
        worker_update(actor=staff, worker=worker, post=Worker.Post.HEAD)
    assert "grade" in _errors(exc)
    worker = worker_update(actor=staff, worker=worker, post=Worker.Post.HEAD, grade=7)
    assert worker.post == Worker.Post.HEAD and worker.grade == 7


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"phone": "12345"}, "phone"),
    ({"post": "boss"}, "post"),
    ({"hire_date": datetime.date(2999, 1, 1)}, "hire_date"),
])
def test_bad_fields_name_the_field(tree, staff, fields, field):
    data = {"community": tree.communities[0], "name": "张三", **fields}
    with pytest.raises(ValidationError) as exc:
        worker_create(actor=staff, **data)
    assert field in _errors(exc)


def test_roles_and_jurisdiction(tree, staff):
    for role, region in ((Role.GRID_WORKER, tree.grids[0]), (Role.DISTRICT_OFFICIAL, tree.district)):
        actor = make_user(role, region=region)
        with pytest.raises(PermissionDeniedError):
            worker_create(actor=actor, community=tree.communities[0], name="张三")
    for role in (Role.RESIDENT, Role.SYSTEM_ADMIN):
        with pytest.raises(PermissionDeniedError):
            worker_create(actor=make_user(role), community=tree.communities[0], name="张三")
    # A community outside the actor's jurisdiction, or a node that is not a community.
    for community in (tree.communities[1], tree.grids[0], tree.streets[0]):
        with pytest.raises(ValidationError) as exc:
            worker_create(actor=staff, community=community, name="张三")
        assert "community" in _errors(exc)
    outside = WorkerFactory(community=tree.communities[2])
    with pytest.raises(PermissionDeniedError):
        worker_update(actor=staff, worker=outside, name="改名")
    street = make_user(Role.STREET_STAFF, region=tree.streets[0])
    assert worker_create(actor=street, community=tree.communities[1], name="街道录入").community == tree.communities[1]


def test_account_link_must_be_a_grid_worker_of_the_same_community(tree, staff):
    own = make_grid_worker(tree.grids[1])                     # already linked to its own roster record
    free = make_user(Role.GRID_WORKER, region=tree.grids[1])
    elsewhere = make_user(Role.GRID_WORKER, region=tree.grids[2])
    clerk = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])
    worker = worker_create(actor=staff, community=tree.communities[0], name="新网格员", user=free)
    assert worker.user == free
    for account, message in ((own, "already linked"), (elsewhere, "same community"), (clerk, "grid-worker account")):
        with pytest.raises(ValidationError) as exc:
            worker_create(actor=staff, community=tree.communities[0], name="冲突", user=account)
        assert message in _errors(exc)["user"][0]


def test_assign_and_end(tree, staff):
    worker = worker_create(actor=staff, community=tree.communities[0], name="网格员甲")
    assignment = worker_assign_to_grid(actor=staff, worker=worker, grid=tree.grids[1],
                                       duty=GridAssignment.Duty.GRID_HEAD)
    assert assignment.active and assignment.since is not None
    with pytest.raises(ValidationError) as exc:
        worker_assign_to_grid(actor=staff, worker=worker, grid=tree.grids[1], duty=GridAssignment.Duty.GRID_HEAD)
    assert "already has this duty" in _errors(exc)["grid"][0]
    # Another community's grid, or a node that is not a grid.
    for grid in (tree.grids[2], tree.communities[0]):
        with pytest.raises(ValidationError) as exc:
            worker_assign_to_grid(actor=staff, worker=worker, grid=grid, duty=GridAssignment.Duty.FULL_TIME)
        assert "grid" in _errors(exc)

    ended = worker_end_assignment(actor=staff, assignment=assignment)
    assert not ended.active and ended.until is not None
    assert worker_end_assignment(actor=staff, assignment=ended).until == ended.until    # twice is harmless
    again = worker_assign_to_grid(actor=staff, worker=worker, grid=tree.grids[1], duty=GridAssignment.Duty.GRID_HEAD)
    assert again.pk != assignment.pk


def test_assignment_gives_the_linked_account_its_grid(tree, staff):
    from governance.selectors.jurisdiction import jurisdiction_paths

    account = make_user(Role.GRID_WORKER, region=tree.grids[0])
    worker = worker_create(actor=staff, community=tree.communities[0], name="兼职", user=account)
    worker_assign_to_grid(actor=staff, worker=worker, grid=tree.grids[1], duty=GridAssignment.Duty.PART_TIME)
    account = type(account).objects.get(pk=account.pk)
    assert tree.grids[1].path in jurisdiction_paths(account)


def test_inactive_worker_cannot_be_assigned_and_others_may_not_assign(tree, staff):
    worker = worker_create(actor=staff, community=tree.communities[0], name="停用", is_active=False)
    with pytest.raises(ValidationError):
        worker_assign_to_grid(actor=staff, worker=worker, grid=tree.grids[0])
    active = worker_create(actor=staff, community=tree.communities[0], name="在岗")
    grid_worker = make_grid_worker(tree.grids[0])
    with pytest.raises(PermissionDeniedError):
        worker_assign_to_grid(actor=grid_worker, worker=active, grid=tree.grids[0])
    other = make_user(Role.COMMUNITY_STAFF, region=tree.communities[1])
    with pytest.raises(PermissionDeniedError):
        worker_assign_to_grid(actor=other, worker=active, grid=tree.grids[0])


def test_moving_community_needs_the_old_assignments_ended(tree):
    street = make_user(Role.STREET_STAFF, region=tree.streets[0])
    worker = worker_create(actor=street, community=tree.communities[0], name="调动")
    assignment = worker_assign_to_grid(actor=street, worker=worker, grid=tree.grids[0])
    with pytest.raises(ValidationError) as exc:
        worker_update(actor=street, worker=worker, community=tree.communities[1])
    assert "community" in _errors(exc)
    worker_end_assignment(actor=street, assignment=assignment)
    assert worker_update(actor=street, worker=worker, community=tree.communities[1]).community == tree.communities[1]
