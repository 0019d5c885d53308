"""On a phone, community staff open their task ledger, see a task a department sent without admission marked
"not admitted", refuse it with one action and a reason; the department handler then sees the refusal and the reason
on its own page (and in its notifications)."""

import pytest
from django.utils import timezone

from governance.models import Notification
from listings.admission.models import SentTask
from listings.admission.services.tasks import task_send
from tests.browser.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "未经准入，不在本社区工作事项清单内，请按程序申请准入。"


def test_community_refuses_an_unadmitted_task_and_the_department_sees_it(page, live_server):
    from playwright.sync_api import expect

    from tests.listings.admission.conftest import World

    world = World()
    admitted = world.admitted(now=timezone.now(), start_in=-1)
    [ok] = task_send(actor=world.handler, title="报送垃圾分类月报", content="每月5日前报送", kind="report",
                     application=admitted, communities=[world.communities[0]])
    [task] = task_send(actor=world.handler, title="统计辖区沿街商户名单", content="三日内报送全部沿街商户名单",
                       communities=[world.communities[0]])
    assert ok.is_admitted and not task.is_admitted

    # Community staff: the incoming task is marked and can be refused right in the list.
    login(page, live_server, world.community_staff.username, PASSWORD)
    page.goto(f"{live_server.url}/admission/tasks/")
    row = page.locator(f"#task-{task.pk}")
    expect(row.locator(".not-admitted-mark")).to_be_visible()
    expect(page.locator(f"#task-{ok.pk} .not-admitted-mark")).to_have_count(0)
    expect(page.locator(f"#task-{ok.pk} form.refuse-form")).to_have_count(0)  # an admitted task cannot be refused
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # phone-sized
    button = row.locator("button.refuse-button")
    box = button.bounding_box()
    assert box["height"] >= 44  # a full touch target

    # Refusing without a reason is answered, and nothing changes.
    row.locator(f"#refuse-reason-{task.pk}").fill("")
    button.click()
    expect(page.locator("#refuse-title")).to_be_visible()
    task.refresh_from_db()
    assert task.state == "received"
    page.locator("#id_reason").fill(REASON)
    page.locator("#refuse-submit").click()
    page.wait_for_url(f"{live_server.url}/admission/tasks/?tab=incoming")
    expect(page.locator(f"#task-{task.pk} [data-refusal='{task.pk}']")).to_contain_text(REASON)
    task.refresh_from_db()
    assert task.state == "refused" and task.refusal_reason == REASON and task.acted_by == world.community_staff

    # The department handler sees the refusal and the reason.
    page.context.clear_cookies()
    login(page, live_server, world.handler.username, PASSWORD)
    page.goto(f"{live_server.url}/admission/tasks/")
    expect(page.locator(f"[data-refusal='{task.pk}']")).to_contain_text(REASON)
    expect(page.locator("#tab-sent .badge-danger")).to_be_visible()
    page.locator(f"#task-{task.pk} a.task-title").click()
    expect(page.locator("#refusal-reason")).to_have_text(REASON)
    assert Notification.objects.filter(kind="task_refused", recipient=world.handler).count() == 1
    assert SentTask.objects.get(pk=ok.pk).state == "received"
