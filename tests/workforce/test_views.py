"""Roster pages: scoped list with masked phones, worker page with an audited phone reveal, create/edit/assign for
community and street staff only, bad input as 400 with messages, never 500."""

import pytest
from django.urls import reverse

from governance.lib.pii import mask_phone
from governance.models import AuditLog, Role
from tests.factories import DepartmentFactory, WorkerFactory, make_grid_worker, make_user
from workforce.models import GridAssignment, Worker

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def client_for(client_for, settings):
    """English interface (stable message ids for the assertions)."""

    def make(user):
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def roster(tree):
    ours = WorkerFactory(community=tree.communities[0], name="李书记", post=Worker.Post.HEAD, title="书记", grade=10,
                         phone=PHONE)
    GridAssignment.objects.create(worker=ours, grid=tree.grids[0])
    neighbour = WorkerFactory(community=tree.communities[1], name="邻社区", phone="13900000000")
    far = WorkerFactory(community=tree.communities[2], name="外街道")
    return {"ours": ours, "neighbour": neighbour, "far": far}


@pytest.fixture
def staff(tree):
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


def _html(response):
    return response.content.decode()


def test_list_is_scoped_and_masks_phones(tree, roster, staff, client_for):
    html = _html(client_for(staff).get(reverse("workforce:worker_list")))
    assert "李书记" in html and "邻社区" not in html and "外街道" not in html
    assert mask_phone(PHONE) in html and PHONE not in html
    assert "Head (正职: 书记/主任)" in html and "书记" in html and ">10<" in html
    assert tree.grids[0].name in html                                   # grids served

    street = make_user(Role.STREET_STAFF, region=tree.streets[0])
    html = _html(client_for(street).get(reverse("workforce:worker_list")))
    assert "李书记" in html and "邻社区" in html and "外街道" not in html
    html = _html(client_for(street).get(reverse("workforce:worker_list") + "?q=邻"))
    assert "李书记" not in html and "邻社区" in html


@pytest.mark.parametrize("role", ["resident", "department_handler", "system_admin", "security_admin", "auditor"])
def test_accounts_without_jurisdiction_get_404(tree, roster, client_for, role):
    kwargs = {"department": DepartmentFactory(district=tree.district)} if role == "department_handler" else {}
    client = client_for(make_user(role, **kwargs))
    worker = roster["ours"]
    for url in (reverse("workforce:worker_list"), reverse("workforce:worker_detail", args=[worker.pk]),
                reverse("workforce:worker_create"), reverse("workforce:worker_edit", args=[worker.pk]),
                reverse("workforce:worker_assign", args=[worker.pk])):
        assert client.get(url).status_code == 404, url


def test_anonymous_goes_to_login(client, roster):
    response = client.get(reverse("workforce:worker_detail", args=[roster["ours"].pk]))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_detail_masks_and_reveal_is_audited(tree, roster, staff, client_for):
    client = client_for(staff)
    worker = roster["ours"]
    url = reverse("workforce:worker_detail", args=[worker.pk])
    html = _html(client.get(url))
    assert mask_phone(PHONE) in html and PHONE not in html
    reveal = reverse("workforce:worker_reveal", args=[worker.pk])
    assert client.get(reveal).status_code == 405
    response = client.post(reveal, {"field": "phone"})
    assert response.status_code == 200 and PHONE in _html(response)
    rows = AuditLog.objects.filter(action=AuditLog.Action.REVEAL)
    assert rows.count() == 1 and rows.get().detail == {"field": "phone"}
    assert rows.get().object_type == "workforce.worker"
    assert client.post(reveal, {"field": "name"}).status_code == 400
    assert client.get(reverse("workforce:worker_detail", args=[roster["neighbour"].pk])).status_code == 404
    assert client.post(reverse("workforce:worker_reveal", args=[roster["neighbour"].pk]),
                       {"field": "phone"}).status_code == 404
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL).count() == 1


def test_read_only_roles_get_403_on_changes(tree, roster, client_for):
    worker = roster["ours"]
    for user in (make_grid_worker(tree.grids[0]), make_user(Role.DISTRICT_OFFICIAL, region=tree.district)):
        client = client_for(user)
        assert client.get(reverse("workforce:worker_detail", args=[worker.pk])).status_code == 200
        html = _html(client.get(reverse("workforce:worker_list")))
        assert reverse("workforce:worker_create") not in html
        assert client.get(reverse("workforce:worker_create")).status_code == 403
        assert client.post(reverse("workforce:worker_create"),
                           {"name": "x", "community": tree.communities[0].pk, "post": "staff"}).status_code == 403
        assert client.get(reverse("workforce:worker_edit", args=[worker.pk])).status_code == 403
        assert client.post(reverse("workforce:worker_assign", args=[worker.pk]),
                           {"grid": tree.grids[1].pk, "duty": "full_time"}).status_code == 403
    assert Worker.objects.count() == 4                                   # 3 + the grid worker's own record


def test_create_edit_and_validation(tree, staff, client_for):
    client = client_for(staff)
    url = reverse("workforce:worker_create")
    assert client.get(url).status_code == 200
    data = {"name": "周主任", "community": tree.communities[0].pk, "post": "head", "title": "主任", "grade": "8",
            "phone": "13811112222", "hire_date": "2019-09-01", "is_active": "on"}
    response = client.post(url, data)
    assert response.status_code == 302
    worker = Worker.objects.get(name="周主任")
    assert response["Location"] == reverse("workforce:worker_detail", args=[worker.pk])

    bad_cases = [
        ({"grade": "3"}, "grade must be between 7 and 18"),
        ({"grade": "30"}, "less than or equal to 18"),
        ({"phone": "call-me"}, "Enter an 11-digit mobile number"),
        ({"name": ""}, "This field is required."),
        ({"name": "周" * 200}, "at most 64 characters"),
        ({"community": tree.communities[2].pk}, "within your jurisdiction"),
        ({"name": "<script>alert(1)</script>", "grade": "1"}, "grade must be between 7 and 18"),
    ]
    for overrides, message in bad_cases:
        response = client.post(url, {**data, **overrides})
        assert response.status_code == 400, overrides
        html = _html(response)
        assert message in html, overrides
        assert "<script>alert(1)</script>" not in html
    assert Worker.objects.count() == 1

    edit = reverse("workforce:worker_edit", args=[worker.pk])
    html = _html(client.get(edit))
    assert "13811112222" not in html and mask_phone("13811112222") in html
    response = client.post(edit, {**data, "post": "deputy", "grade": "5", "phone": ""})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.post == "deputy" and worker.grade == 5 and worker.phone == "13811112222"


def test_link_an_account(tree, staff, client_for):
    account = make_user(Role.GRID_WORKER, region=tree.grids[1], username="gw-free")
    foreign = make_user(Role.GRID_WORKER, region=tree.grids[4], username="gw-foreign")
    client = client_for(staff)
    html = _html(client.get(reverse("workforce:worker_create")))
    assert "gw-free" in html and "gw-foreign" not in html
    data = {"name": "新人", "community": tree.communities[0].pk, "post": "staff", "user": foreign.pk}
    assert client.post(reverse("workforce:worker_create"), data).status_code == 400
    assert client.post(reverse("workforce:worker_create"), {**data, "user": account.pk}).status_code == 302
    assert Worker.objects.get(name="新人").user == account


def test_assign_and_end_through_the_pages(tree, roster, staff, client_for):
    client = client_for(staff)
    worker = roster["ours"]
    url = reverse("workforce:worker_assign", args=[worker.pk])
    html = _html(client.get(url))
    assert tree.grids[1].code in html and tree.grids[2].code not in html
    response = client.post(url, {"grid": tree.grids[1].pk, "duty": "grid_head"})
    assert response.status_code == 302 and response["Location"] == url
    assignment = GridAssignment.objects.get(worker=worker, grid=tree.grids[1])
    assert assignment.active

    response = client.post(url, {"grid": tree.grids[1].pk, "duty": "grid_head"})
    assert response.status_code == 400 and "already has this duty" in _html(response)
    response = client.post(url, {"grid": tree.grids[2].pk, "duty": "grid_head"})
    assert response.status_code == 400 and "Choose one of the listed options" in _html(response)

    end = reverse("workforce:worker_assignment_end", args=[worker.pk, assignment.pk])
    assert client.get(end).status_code == 405
    response = client.post(end)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert not assignment.active and assignment.until is not None
    # An assignment of another worker through this worker's URL: 404.
    other = GridAssignment.objects.create(worker=WorkerFactory(community=tree.communities[0]), grid=tree.grids[0])
    assert client.post(reverse("workforce:worker_assignment_end", args=[worker.pk, other.pk])).status_code == 404
    # A worker outside the jurisdiction: 404.
    assert client.get(reverse("workforce:worker_assign", args=[roster["far"].pk])).status_code == 404
