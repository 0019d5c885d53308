"""A grid worker on a phone works a case end to end: logs in, opens My cases, opens the case, signs for it, shows
the requester's phone (an audited reveal), logs the call, starts handling and answers. Then the community's staff
member opens the same case from their own queue and verifies it, which closes it."""

import pytest
from django.urls import reverse

from governance.models import AuditLog
from grids.models import ContactLog, Incident
from tests.browser.conftest import login
from tests.factories import PASSWORD
from tests.grids.incidents.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)
S = Incident.Status
PHONE = "13812345678"


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _open_from_my_cases(page, live_server, incident):
    page.locator(f"nav.mainnav a[href='{reverse('grids:my_cases')}']").click()
    page.wait_for_url(f"{live_server.url}{reverse('grids:my_cases')}")
    assert _fits_the_phone(page)
    page.locator(f"a.case-link:has-text('{incident.tracking_code}')").click()
    page.wait_for_url(f"{live_server.url}{reverse('grids:incident_detail', args=[incident.pk])}")


def _status(page) -> str:
    return page.locator("#case-status").get_attribute("data-status")


def _do(page, action):
    page.locator(f"button[name=do][value={action}]").click()
    page.wait_for_load_state()


def test_handler_works_a_case_and_staff_verify_it(page, live_server, settings, tmp_path):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    world = make_world()
    incident = world.incident("grid", title="3号楼楼道堆放杂物", reporter_name="王秀英", reporter_phone=PHONE)
    world.incident("grid", grid=world.sibling_grid, title="邻居网格的案件")

    # The grid worker logs in and finds the case in My cases (not the neighbour's).
    login(page, live_server, world.grid_worker.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/grids/my/")
    page.locator(f"nav.mainnav a[href='{reverse('grids:my_cases')}']").click()
    page.wait_for_url(f"{live_server.url}{reverse('grids:my_cases')}")
    listing = page.locator("#case-list").inner_text()
    assert "3号楼楼道堆放杂物" in listing and "邻居网格的案件" not in listing
    _open_from_my_cases(page, live_server, incident)
    assert _fits_the_phone(page)
    assert _status(page) == S.DISPATCHED
    # Only what the worker may do now: sign for it (or return it).
    assert page.locator("button[name=do][value=answer]").count() == 0

    # Sign for it.
    _do(page, "sign_for")
    expect(page.locator("#case-status")).to_have_attribute("data-status", S.SIGNED)
    assert page.locator(".message-success").count() == 1

    # Show the phone number to call back (masked until then; the reveal is logged).
    assert PHONE not in page.content()
    page.locator("form.reveal-form:has(input[value='reporter_phone']) button").click()
    page.wait_for_selector(".revealed")
    assert PHONE in page.locator(".revealed").first.inner_text()
    assert AuditLog.objects.filter(action=AuditLog.Action.REVEAL, user_id=world.grid_worker.pk).count() == 1

    # Log the call.
    page.locator("input[name=contact-method][value=phone]").check()
    page.locator("input[name=contact-reached][value=yes]").check()
    page.locator("#id_contact-note").fill("已电话联系王女士，约好下午到现场")
    _do(page, "contact")
    expect(page.locator("#contact-log")).to_contain_text("已电话联系王女士，约好下午到现场")
    assert ContactLog.objects.filter(incident=incident, by=world.grid_worker, reached=True).count() == 1

    # Start handling, then answer. An empty answer first: the form says so and nothing changes.
    _do(page, "start")
    expect(page.locator("#case-status")).to_have_attribute("data-status", S.IN_HAND)
    _do(page, "answer")
    expect(page.locator("#action-answer .error")).to_be_visible()
    assert _status(page) == S.IN_HAND
    page.locator("#id_answer-answer").fill("已清理3号楼楼道杂物，并提醒住户不要再堆放。")
    _do(page, "answer")
    expect(page.locator("#case-status")).to_have_attribute("data-status", S.ANSWERED)
    expect(page.locator("#case-answer")).to_have_text("已清理3号楼楼道杂物，并提醒住户不要再堆放。")
    timeline = page.locator("#timeline").inner_text()
    assert world.grid_worker.display_name in timeline
    # The worker who answered may not verify their own answer.
    assert page.locator("button[name=do][value=verify]").count() == 0

    # The community's staff member verifies it from their own queue: the case closes.
    page.locator("form.logout-form button").click()
    page.wait_for_load_state()
    login(page, live_server, world.community_staff.username, PASSWORD)
    page.wait_for_load_state()
    _open_from_my_cases(page, live_server, incident)
    page.locator("input[name=verify-passed][value=yes]").check()
    page.locator("#id_verify-note").fill("现场查看，楼道已清理干净")
    _do(page, "verify")
    expect(page.locator("#case-status")).to_have_attribute("data-status", S.CLOSED)
    assert page.locator("#no-actions").is_visible()
    incident.refresh_from_db()
    assert incident.status == S.CLOSED and incident.first_contact_at is not None
    assert list(incident.events.filter(kind="transition").values_list("to_status", flat=True))[-5:] == [
        S.SIGNED, S.IN_HAND, S.ANSWERED, S.VERIFIED, S.CLOSED]
