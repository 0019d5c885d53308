"""The pages in a real phone-sized browser (Debian's chromium through Playwright; skipped without it): nothing
blocked by the Content Security Policy (no inline script or style, htmx's injected style switched off), no
page-wide sideways scrolling, body text of at least 16px, touch targets of at least 44px, and the reveal flow."""

import shutil

import pytest
from django.urls import reverse

from governance.models import Role
from tests.factories import (
    PASSWORD,
    HouseholdFactory,
    OrganisationFactory,
    ResidentFactory,
    WorkerFactory,
    make_grid_worker,
    make_user,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (apt-get install chromium)"),
]

PHONE = {"width": 390, "height": 844}

MEASURE = """() => {
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const small = [];
  document.querySelectorAll('main button, main .btn, main input:not([type=hidden]):not([type=checkbox]), main select,'
      + ' .mainnav a, .pagination a, .topbar button, .topbar select').forEach(el => {
    if (visible(el) && el.getBoundingClientRect().height < 43.5) {
      small.push(el.outerHTML.slice(0, 80) + ' ' + el.getBoundingClientRect().height);
    }
  });
  return {
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
    styles: document.querySelectorAll('style').length,
    inlineStyleAttrs: document.querySelectorAll('[style]').length,
    htmx: !!(window.htmx && window.htmx.config.includeIndicatorStyles === false),
    small: small,
  };
}"""


@pytest.fixture
def browser_page(live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_problems = []
    page.on("console", lambda m: page.console_problems.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text else None)
    yield page
    context.close()


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_pages_fit_a_phone_and_obey_the_csp(live_server, browser_page, tree):
    grid = tree.grids[0]
    household = HouseholdFactory(grid=grid)
    resident = ResidentFactory(grid=grid, household=household, phone="13812345678")
    ResidentFactory.create_batch(30, grid=grid)
    OrganisationFactory(grid=grid)
    worker = WorkerFactory(community=tree.communities[0], phone="13911112222")
    make_grid_worker(grid)
    make_user(Role.STREET_STAFF, region=tree.streets[0], username="street-phone")
    page = browser_page
    _login(page, live_server, "street-phone")

    urls = [reverse("grids:tree"), reverse("grids:resident_list"), reverse("grids:resident_list") + "?page=2",
            reverse("grids:resident_detail", args=[resident.pk]), reverse("grids:resident_create"),
            reverse("grids:household_detail", args=[household.pk]),
            reverse("grids:region_detail", args=[tree.communities[0].pk]),
            reverse("grids:region_create_child", args=[tree.communities[0].pk]),
            reverse("workforce:worker_list"), reverse("workforce:worker_detail", args=[worker.pk]),
            reverse("workforce:worker_assign", args=[worker.pk])]
    for url in urls:
        page.goto(live_server.url + url)
        page.wait_for_load_state("load")
        result = page.evaluate(MEASURE)
        assert result["overflow"] <= 0, (url, result["overflow"])
        assert result["fontSize"] >= 16, url
        assert result["htmx"], url                      # htmx loaded, its style injection switched off
        assert result["styles"] == 0 and result["inlineStyleAttrs"] == 0, url
        assert result["small"] == [], (url, result["small"])
    assert page.console_problems == []


def test_reveal_in_the_browser(live_server, browser_page, tree):
    resident = ResidentFactory(grid=tree.grids[0], id_number="11010519491231002X")
    make_grid_worker(tree.grids[0], username="gw-phone")
    page = browser_page
    _login(page, live_server, "gw-phone")
    page.goto(live_server.url + reverse("grids:resident_detail", args=[resident.pk]))
    assert "1101**********002X" in page.content()
    assert "11010519491231002X" not in page.content()
    page.locator(".reveal-form button").first.click()
    page.wait_for_load_state()
    assert page.locator(".revealed").inner_text() == "11010519491231002X"
    assert page.console_problems == []
