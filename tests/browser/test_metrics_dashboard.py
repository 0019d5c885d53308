"""A district official on a phone reads the performance dashboard: opens it from the menu, sees this month's
figures of the street whose grid handled a rated case, switches to grids, sorts, and opens one unit's breakdown."""

import pytest
from django.urls import reverse

from grids.models import Incident
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.grids.incidents.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)
S = Incident.Status


def test_official_reads_the_dashboard(page, live_server):
    world = make_world()
    world.advance(world.incident("grid", title="楼道堆物"), to=S.RATED)  # resolved and satisfied
    world.incident("grid", grid=world.sibling_grid, title="尚未签收")  # dispatched, not yet answered

    login(page, live_server, world.district_official.username, PASSWORD)
    page.locator(f"nav.mainnav a[href='{reverse('grids:incident_metrics')}']").click()
    page.wait_for_url(f"{live_server.url}{reverse('grids:incident_metrics')}")

    # The level below the district by default: streets. Ours has the rated case: 100 % on all three rates.
    row = page.locator("tbody tr", has_text=world.street.name)
    assert row.count() == 1
    assert row.inner_text().count("100.0") >= 3

    # Grids: pick the kind and show; both grids with cases are listed.
    page.select_option("select[name=kind]", "grid")
    page.locator("form.filters button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("tbody tr", has_text=world.grid.name).count() == 1
    assert page.locator("tbody tr", has_text=world.sibling_grid.name).count() == 1
    # Sorting by a column heading is a plain link; the page comes back sorted, our grid still listed.
    page.locator("thead th a").nth(2).click()
    page.wait_for_load_state()
    assert "sort=" in page.url
    grid_row = page.locator("tbody tr", has_text=world.grid.name)
    assert grid_row.count() == 1
    # One unit's breakdown with the counts behind the rates.
    grid_row.locator("td.metrics-unit a").first.click()
    page.wait_for_load_state()
    assert world.grid.name in page.locator("h1").inner_text()
    assert "1/1" in page.content()
