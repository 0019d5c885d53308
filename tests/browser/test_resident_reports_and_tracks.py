"""A resident on a phone reports a broken street lamp without an account — finding the category with the search
box, choosing the grid and then the building (both htmx), adding a photo and answering the check question — gets a
tracking code, opens the tracking page and sees the status, without any personal data on it."""

import io
import re

import pytest
from django.utils import translation
from PIL import Image

from grids.models import Category, Incident
from grids.views.tracking import public_status
from tests.factories import make_tree
from tests.grids.intake.helpers import make_building

pytestmark = pytest.mark.django_db(transaction=True)


def _categories():
    def node(parent, code, name, **kw):
        create = dict(tree="event", code=code, name=name, **kw)
        if parent is None:
            return Category.objects.add_root(create_kwargs=create)
        parent.refresh_from_db()
        return Category.objects.add_child(parent, create_kwargs=create)

    city = node(None, "01", "市容环境")
    node(node(city, "0101", "环境卫生"), "010101", "垃圾堆放")
    lighting = node(node(None, "02", "公共设施"), "0201", "照明设施")
    return node(lighting, "020101", "路灯不亮", keywords="路灯 照明")


def _photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 90, 160)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_resident_reports_a_problem_and_follows_it(page, live_server, settings, tmp_path):
    from playwright.sync_api import expect

    settings.ROOT_URLCONF = "tests.grids.intake.urls"  # until governance/urls.py mounts grids.urls_intake
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.GONGZHI_INTAKE_CHALLENGE = True  # answered below by reading the question, like a person
    tree = make_tree()
    lamp = _categories()
    grid = tree.grids[1]
    building = make_building(grid, number="00003", name="3号楼", address="幸福路3号")

    page.goto(f"{live_server.url}/report/")
    # Phone-sized and readable: nothing wider than the screen, inputs at 16px or more.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.eval_on_selector("#id_title", "el => parseFloat(getComputedStyle(el).fontSize)") >= 16
    assert page.locator("#privacy-notice").is_visible()

    page.locator("input[name=request_type][value=help]").check()
    # The search box narrows the category list through htmx; the no-JS search button is hidden.
    assert not page.locator("button[name=_category_search]").is_visible()
    page.locator("#id_category_q").fill("路灯")
    expect(page.locator("#id_category option:not([value=''])")).to_have_count(1)  # (CSP: no eval-based waits)
    page.select_option("#id_category", value=str(lamp.pk))
    page.locator("#id_title").fill("3号楼门前路灯不亮")
    page.locator("#id_description").fill("路灯已经坏了一个星期，晚上出门很黑。")
    # Choosing the grid loads its buildings.
    page.select_option("#id_grid", value=str(grid.pk))
    page.wait_for_selector(f"#id_building option[value='{building.pk}']", state="attached")
    page.select_option("#id_building", value=str(building.pk))
    page.locator("#id_reporter_phone").fill("13812345678")
    page.locator("#id_reporter_name").fill("王秀英")
    page.locator("#id_photos").set_input_files(str(_photo(tmp_path / "lamp.jpg")))

    question = page.locator(".challenge-question").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.locator("#id_challenge_answer").fill(str(a - b if ("minus" in question or "减" in question) else a + b))
    page.locator("form.intake-form button[type=submit].btn-primary").click()

    page.wait_for_url(f"{live_server.url}/report/done/")
    code = page.locator("#tracking-code").inner_text().strip()
    incident = Incident.objects.get()
    assert code == incident.tracking_code
    assert incident.channel == "web" and incident.building_id == building.pk and incident.photos.count() == 1

    page.locator("#track-link").click()
    page.wait_for_url(f"{live_server.url}/track/{code}/")
    incident.refresh_from_db()
    with translation.override("zh-hans"):  # the page is in the browser's language (zh-CN)
        assert page.locator("#case-status").inner_text() == public_status(incident.status)
    assert page.locator("#case-title").inner_text() == "3号楼门前路灯不亮"
    body = page.content()
    assert "13812345678" not in body and "王秀英" not in body and "幸福路3号" not in body

    # Looking the code up again by hand, typed in lower case with spaces, finds the same page.
    page.goto(f"{live_server.url}/track/")
    page.locator("#id_code").fill(" " + code.lower() + " ")
    page.locator("form.track-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/track/{code}/")
