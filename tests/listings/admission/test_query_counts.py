"""Every admission list, ledger and dashboard runs the same number of queries whatever the number of rows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from listings.admission.services import applications as app_svc
from listings.admission.services import tasks as task_svc

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    """n more of everything: applications (admitted, pending, refused), tasks sent (answered), separate checks."""
    now = timezone.now()
    for i in range(n):
        admitted = world.admitted(now=now, start_in=-1, title=f"协助任务{i}", communities=world.communities[:3])
        world.apply(now=now, title=f"待审任务{i}")
        world.apply(now=now, title=f"安全生产执法检查{i}")
        tasks = task_svc.task_send(actor=world.handler, title=f"未准入任务{i}", content="x",
                                   communities=world.communities[:2])
        task_svc.task_send(actor=world.handler, title=f"准入任务{i}", content="x", application=admitted,
                           communities=[world.communities[0]])
        task_svc.task_refuse(actor=world.community_staff, task_id=tasks[0].pk, reason="未经准入")
        row = admitted.ledger_rows.get(community=world.communities[0])
        task_svc.extra_demand_record(actor=world.community_staff, admitted_task_id=row.pk, kind="inspection",
                                     occurred_on=timezone.localdate(), note="另行检查")


def assert_flat(client, url, count_queries, world, *, more=6):
    client.get(url)  # warm-up: sessions, content types
    few = count_queries(lambda: client.get(url))
    grow(world, more)
    response = client.get(url)
    assert response.status_code == 200, url
    many = count_queries(lambda: client.get(url))
    assert many == few, f"{url}: {few} → {many}"


@pytest.mark.parametrize("role", ["handler", "official", "street_staff", "community_staff"])
def test_application_list_is_flat(world, client_for, count_queries, role):
    grow(world, 1)
    assert_flat(client_for(getattr(world, role)), reverse("admission:application_list"), count_queries, world)


@pytest.mark.parametrize("role,tab", [("community_staff", "incoming"), ("community_staff", "ledger"),
                                      ("community_staff", "checks"), ("handler", "sent"), ("handler", "ledger"),
                                      ("official", "incoming"), ("official", "ledger"), ("street_staff", "checks")])
def test_task_ledger_pages_are_flat(world, client_for, count_queries, role, tab):
    grow(world, 1)
    url = reverse("admission:community_tasks") + f"?tab={tab}&all=1"
    assert_flat(client_for(getattr(world, role)), url, count_queries, world)


@pytest.mark.parametrize("role", ["official", "street_staff", "community_staff"])
def test_burden_page_is_flat(world, client_for, count_queries, role):
    grow(world, 1)
    since = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert_flat(client_for(getattr(world, role)), reverse("admission:burden") + f"?since={since}", count_queries,
                world)


def test_application_detail_is_flat_in_its_history_and_ledger(world, client_for, count_queries):
    now = timezone.now()
    application = world.admitted(now=now, start_in=-1, communities=world.communities[:1])
    client = client_for(world.official)
    url = reverse("admission:application_detail", args=[application.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    row = application.ledger_rows.get()
    for i in range(5):
        app_svc.application_yearly_review(actor=world.official, application_id=application.pk, outcome="confirm",
                                          note=f"第{i}次")
        task_svc.extra_demand_record(actor=world.community_staff, admitted_task_id=row.pk, kind="ranking",
                                     occurred_on=timezone.localdate(), note="评比")
    application.communities.add(*world.communities[1:])
    many = count_queries(lambda: client.get(url))
    assert many == few


def test_task_detail_is_flat_in_its_history(world, client_for, count_queries):
    [task] = task_svc.task_send(actor=world.handler, title="报送材料", content="x",
                                communities=[world.communities[0]])
    client = client_for(world.handler)
    url = reverse("admission:task_detail", args=[task.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    task_svc.task_accept(actor=world.community_staff, task_id=task.pk)
    task_svc.task_complete(actor=world.community_staff, task_id=task.pk)
    assert count_queries(lambda: client.get(url)) == few
