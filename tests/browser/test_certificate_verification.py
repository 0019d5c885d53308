"""A resident on a phone finds the serial of their certificate, checks it on the public verification page (valid);
community staff revoke it from the request page; the verification page then says it is revoked."""

import pytest

from governance.models import Role
from listings.certificates.models import Certificate
from listings.certificates.services.requests import certificate_issue, certificate_request_online
from listings.models import ListPurpose
from tests.browser.conftest import login
from tests.factories import PASSWORD, make_id_number, make_tree, make_user
from tests.listings.certificates.conftest import make_item, make_kind

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_verifies_a_certificate_before_and_after_revocation(page, browser, live_server):
    tree = make_tree()
    kind = make_kind(tree.district, ListPurpose.CERTIFICATE, code="cert", name="出具证明事项清单")
    residence = make_item(kind, "居住证明")
    resident = make_user(Role.RESIDENT, region=tree.grids[0], username="wangxl", full_name="王秀兰")
    staff = make_user(Role.COMMUNITY_STAFF, region=tree.communities[0], username="liuxm", full_name="刘晓梅")
    request = certificate_request_online(actor=resident, item=residence.pk, purpose="子女入学",
                                         applicant_name="王秀兰", id_number=make_id_number())
    certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民，现居住于东湖小区3号楼。")
    serial = Certificate.objects.get().serial

    # The resident finds the serial among their requests.
    login(page, live_server, "wangxl", PASSWORD)
    page.goto(f"{live_server.url}/certificates/mine/")
    assert serial in page.locator("main").inner_text()

    # ... and checks it on the public page, typing it the way people do.
    page.goto(f"{live_server.url}/certificates/verify/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    page.locator("#id_serial").fill(" " + serial.lower().replace("-", " ") + " ")
    page.locator("form.verify-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/certificates/verify/{serial}/")
    assert page.locator("#cert-state").get_attribute("data-state") == "valid"
    assert page.locator("#cert-title").inner_text() == "居住证明"
    assert page.locator("#cert-community").inner_text() == tree.communities[0].name
    assert page.locator("#cert-holder").inner_text() == "王**"
    assert "王秀兰" not in page.locator("main").inner_text()  # (the header names the logged-in resident)

    # Community staff revoke it (another phone).
    context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 915})
    staff_page = context.new_page()
    staff_page.set_default_timeout(15000)
    try:
        login(staff_page, live_server, "liuxm", PASSWORD)
        staff_page.goto(f"{live_server.url}/certificates/register/")
        staff_page.locator(f"a[href='/certificates/requests/{request.pk}/']").click()
        staff_page.wait_for_url(f"{live_server.url}/certificates/requests/{request.pk}/")
        staff_page.locator("#id_revoke-reason").fill("住址信息有误，已重新开具。")
        staff_page.locator("form.revoke-form button[type=submit]").click()
        staff_page.wait_for_selector("#revoked")
    finally:
        context.close()

    # The same verification page now says it is revoked.
    page.reload()
    assert page.locator("#cert-state").get_attribute("data-state") == "revoked"
    assert "住址信息有误" not in page.content()
