"""A grid worker on a phone: logs in, sees only their own grid, opens a resident and sees the ID number masked
until they reveal it — and the reveal is audited."""

import pytest

from governance.models import AuditLog
from tests.browser.conftest import login
from tests.factories import PASSWORD, ResidentFactory, make_grid_worker, make_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_grid_worker_sees_own_grid_and_reveals_an_id_number(page, live_server):
    tree = make_tree()
    own_grid, other_grid = tree.grids[0], tree.grids[5]
    worker = make_grid_worker(own_grid, username="wangwei")
    mine = ResidentFactory(grid=own_grid, name="李秀英")
    ResidentFactory(grid=other_grid, name="赵外人")

    login(page, live_server, "wangwei", PASSWORD)

    # Lands on "my grid": their own grid, not the other one.
    page.wait_for_url(f"{live_server.url}/grids/my/")
    body = page.locator("main")
    assert own_grid.name in body.inner_text()
    assert other_grid.name not in body.inner_text()

    # The resident list shows only residents of their grid, with masked ID numbers.
    page.goto(f"{live_server.url}/grids/residents/")
    listing = page.locator("main").inner_text()
    assert "李秀英" in listing and "赵外人" not in listing
    assert mine.id_number not in page.content()

    page.get_by_role("link", name="李秀英").click()
    page.wait_for_url(f"{live_server.url}/grids/residents/{mine.pk}/")
    masked = page.locator(".masked").first.inner_text()
    assert "*" in masked and mine.id_number not in page.content()

    # A resident in another grid is not found.
    other = page.goto(f"{live_server.url}/grids/residents/{mine.pk + 1}/")
    assert other.status == 404
    page.go_back()

    # Reveal: one explicit action, one audit row.
    before = AuditLog.objects.filter(action=AuditLog.Action.REVEAL, user_id=worker.pk).count()
    page.locator("form.reveal-form:has(input[value='id_number']) button").click()
    page.wait_for_selector(".revealed")
    assert mine.id_number in page.locator(".revealed").first.inner_text()
    rows = AuditLog.objects.filter(action=AuditLog.Action.REVEAL, user_id=worker.pk)
    assert rows.count() == before + 1
    assert rows.first().detail == {"field": "id_number"}
