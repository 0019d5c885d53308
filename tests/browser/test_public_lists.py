"""A resident on a phone, without an account, opens the public lists page, picks their community from the list,
sees the lists in force today with the sample items marked, and opens the list of certificates the committee may not
issue to learn where to go instead."""

import pytest

from tests.factories import make_tree
from tests.listings.factories import make_list_item, make_list_kind

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_picks_a_community_and_reads_the_lists(page, live_server):
    from playwright.sync_api import expect

    tree = make_tree()
    community = tree.communities[2]
    assisting = make_list_kind(district=tree.district, purpose="assisting", code="assisting", position=1)
    forbidden = make_list_kind(district=tree.district, purpose="certificate_forbidden", code="forbidden", position=2)
    make_list_item(kind=assisting, code="XZ-01", name="协助开展城乡居民基本医疗保险参保动员",
                   responsible_body="区医疗保障局", assist_method="宣传动员；协助未参保居民线上缴费。", is_sample=True)
    make_list_item(kind=assisting, code="XZ-09", name="协助开展创建问卷调查", status="repealed")  # never in force
    make_list_item(kind=forbidden, code="ZM-05", name="无犯罪记录证明", issuing_office="公安派出所（无犯罪记录证明）")

    page.goto(f"{live_server.url}/lists/public/")
    # Phone-sized and readable: nothing wider than the screen, a big select and a big button.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.eval_on_selector("#id_place", "el => parseFloat(getComputedStyle(el).fontSize)") >= 16
    button = page.locator("#place-picker button[type=submit]")
    assert button.bounding_box()["height"] >= 44

    page.select_option("#id_place", value=str(community.pk))
    button.click()
    page.wait_for_url(f"**/lists/public/?place={community.pk}")

    expect(page.locator("#lists-for")).to_contain_text(community.name)
    tabs = page.locator(".list-tabs a")
    expect(tabs).to_have_count(2)
    expect(tabs.first).to_have_attribute("aria-current", "page")
    item = page.locator(".list-item").first
    expect(item).to_contain_text("协助开展城乡居民基本医疗保险参保动员")
    expect(item).to_contain_text("区医疗保障局")
    expect(item.locator(".badge-sample")).to_be_visible()
    expect(page.locator(".list-item")).to_have_count(1)  # the repealed item is not in force
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    tabs.nth(1).click()
    expect(page.locator("#selected-list")).to_have_text("不得出具的证明事项清单")
    expect(page.locator(".list-item").first).to_contain_text("公安派出所（无犯罪记录证明）")
    # The chosen community stays selected, so going back is one tap.
    assert page.eval_on_selector("#id_place", "el => el.value") == str(community.pk)

    page.locator(".list-item a").first.click()
    expect(page.locator("h1")).to_contain_text("无犯罪记录证明")
    expect(page.locator("#in-force-today")).to_be_visible()
