"""The staff pages: who sees what (login, 404 outside the district, 403 for changes by non-officials), the forms
(bad input → the form again with the input kept, nothing saved), the date picker, the history, flat query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from governance.models import Role
from listings.models import ListItem, ListItemRevision, ListKind
from tests.factories import DepartmentFactory, make_user
from tests.listings.factories import make_list_item, make_list_kind

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def item(assisting):
    return make_list_item(kind=assisting, code="XZ-01", name="协助开展低保入户调查")


def _urls(item, kind):
    return {
        "catalogue": reverse("listings:catalogue"),
        "item_detail": reverse("listings:item_detail", args=[item.pk]),
        "item_create": reverse("listings:item_create"),
        "item_edit": reverse("listings:item_edit", args=[item.pk]),
        "item_status": reverse("listings:item_status", args=[item.pk]),
        "kind_create": reverse("listings:kind_create"),
        "kind_edit": reverse("listings:kind_edit", args=[kind.pk]),
        "import": reverse("listings:import"),
        "template": reverse("listings:template"),
        "export": f"{reverse('listings:export')}?kind={kind.pk}",
    }


READ_PAGES = ("catalogue", "item_detail", "template", "export")
WRITE_PAGES = ("item_create", "item_edit", "item_status", "kind_create", "kind_edit", "import")


def test_anonymous_is_sent_to_login(client, item, assisting):
    for name, url in _urls(item, assisting).items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_accounts_without_a_district_get_404(client_for, tree, item, assisting, role):
    user = make_user(role, region=tree.communities[0] if role == Role.RESIDENT else None)
    client = client_for(user)
    for name, url in _urls(item, assisting).items():
        assert client.get(url).status_code == 404, name


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DEPARTMENT_HANDLER])
def test_staff_read_their_district_but_may_not_change_it(client_for, tree, item, assisting, role):
    if role == Role.DEPARTMENT_HANDLER:
        user = make_user(role, department=DepartmentFactory(district=tree.district))
    else:
        user = make_user(role, region={Role.GRID_WORKER: tree.grids[0], Role.COMMUNITY_STAFF: tree.communities[0],
                                       Role.STREET_STAFF: tree.streets[0]}[role])
    client = client_for(user)
    urls = _urls(item, assisting)
    for name in READ_PAGES:
        assert client.get(urls[name]).status_code == 200, name
    for name in WRITE_PAGES:
        assert client.get(urls[name]).status_code == 403, name
    response = client.post(urls["item_edit"], {"name": "改名", "code": "XZ-01", "valid_from": "2024-01-01"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.name == "协助开展低保入户调查"


def test_another_districts_items_and_lists_are_404(client_for, other_official, item, assisting):
    client = client_for(other_official)
    urls = _urls(item, assisting)
    for name in ("item_detail", "item_edit", "item_status", "kind_edit", "export"):
        assert client.get(urls[name]).status_code == 404, name
    assert client.post(urls["item_status"], {"status": "repealed", "note": "x"}).status_code == 404
    assert client.get(f"{urls['item_create']}?kind={assisting.pk}").status_code == 404
    # Their own catalogue does not show it.
    assert "协助开展低保入户调查" not in client.get(urls["catalogue"]).content.decode()


def test_official_creates_an_item(client_for, official, assisting, department):
    client = client_for(official)
    assert client.get(f"{reverse('listings:item_create')}?kind={assisting.pk}").status_code == 200
    response = client.post(reverse("listings:item_create"), {
        "kind": assisting.pk, "code": "XZ-02", "name": "协助开展消防安全宣传", "responsible_department": department.pk,
        "legal_basis": "《中华人民共和国消防法》第三十二条", "funding_yuan": "6000", "valid_from": "2025-01-01",
        "keywords": "消防 防火", "note": "新增",
    })
    created = ListItem.objects.get(code="XZ-02")
    assert response.status_code == 302 and response["Location"] == reverse("listings:item_detail", args=[created.pk])
    assert created.responsible_department == department and created.version == 1
    assert created.revisions.get().actor == official


def test_bad_input_shows_the_form_again_with_the_input_and_saves_nothing(client_for, official, assisting, item):
    client = client_for(official)
    with translation.override("en"):
        response = client.post(reverse("listings:item_create"), {
            "kind": assisting.pk, "code": "XZ-01", "name": "重复编号的事项", "valid_from": "2025-06-01",
            "valid_to": "2025-05-01", "funding_yuan": "-5", "responsible_body": "区民政局",
        }, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 400
    assert "本清单中已有该编号的事项" in body and "不能为负数" in body
    assert "重复编号的事项" in body  # what was typed is kept
    assert ListItem.objects.count() == 1 and ListItemRevision.objects.count() == 1


def test_official_edits_and_the_history_shows_it(client_for, official, item):
    client = client_for(official)
    form = client.get(reverse("listings:item_edit", args=[item.pk]))
    assert form.status_code == 200 and "协助开展低保入户调查" in form.content.decode()
    response = client.post(reverse("listings:item_edit", args=[item.pk]), {
        "code": "XZ-01", "name": "协助开展最低生活保障入户调查", "valid_from": "2024-01-01",
        "responsible_body": "区民政局", "position": "0", "note": "名称规范化",
    })
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    detail = client.get(reverse("listings:item_detail", args=[item.pk])).content.decode()
    assert "名称规范化" in detail and official.display_name in detail and 'id="item-history"' in detail


def test_official_repeals_an_item_through_the_status_page(client_for, official, item):
    client = client_for(official)
    assert client.get(reverse("listings:item_status", args=[item.pk])).status_code == 200
    missing_reason = client.post(reverse("listings:item_status", args=[item.pk]), {"status": "repealed"})
    assert missing_reason.status_code == 400 and "请填写原因" in missing_reason.content.decode()
    today = timezone.localdate()
    response = client.post(reverse("listings:item_status", args=[item.pk]),
                           {"status": "repealed", "note": "区减负办通知", "effective": today.isoformat()})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "repealed" and item.valid_to == today - datetime.timedelta(days=1)
    # A repealed item offers no further change.
    page = client.get(reverse("listings:item_status", args=[item.pk])).content.decode()
    assert "已废止的事项不能恢复" in page
    assert client.post(reverse("listings:item_status", args=[item.pk]), {"status": "active"}).status_code == 400


def test_official_creates_and_edits_a_list(client_for, official, tree):
    client = client_for(official)
    response = client.post(reverse("listings:kind_create"), {"code": "micro-power", "name": "社区小微权力清单",
                                                              "purpose": "other", "position": "60"})
    kind = ListKind.objects.get(code="micro-power")
    assert response.status_code == 302 and kind.district == tree.district
    bad = client.post(reverse("listings:kind_edit", args=[kind.pk]), {"code": "MICRO POWER", "name": "",
                                                                      "purpose": "other"})
    assert bad.status_code == 400
    kind.refresh_from_db()
    assert kind.name == "社区小微权力清单"


def test_catalogue_date_picker_shows_the_lists_of_that_day(client_for, official, assisting):
    make_list_item(kind=assisting, code="XZ-01", name="长期事项")
    make_list_item(kind=assisting, code="XZ-09", name="已废止的创建问卷", valid_to=D(2025, 12, 31), status="repealed")
    make_list_item(kind=assisting, code="XZ-10", name="明年起执行的事项", valid_from=timezone.localdate().replace(
        year=timezone.localdate().year + 1))
    client = client_for(official)
    url = reverse("listings:catalogue")

    today = client.get(url).content.decode()
    assert "长期事项" in today and "已废止的创建问卷" not in today and "明年起执行的事项" not in today
    past = client.get(url, {"on": "2025-06-01"}).content.decode()
    assert "长期事项" in past and "已废止的创建问卷" in past
    everything = client.get(url, {"status": "all"}).content.decode()
    assert all(name in everything for name in ("长期事项", "已废止的创建问卷", "明年起执行的事项"))
    repealed = client.get(url, {"status": "repealed", "kind": assisting.pk, "q": "创建"}).content.decode()
    assert "已废止的创建问卷" in repealed and "长期事项" not in repealed
    # A broken date falls back to today, with a message beside the field; the other filters still apply.
    broken = client.get(url, {"on": "2025-13-45"})
    assert broken.status_code == 200 and 'class="error"' in broken.content.decode()
    assert "长期事项" in broken.content.decode()
    searched = client.get(url, {"on": "2025-13-45", "q": "没有这个词"}).content.decode()
    assert "长期事项" not in searched


def test_sample_items_are_marked(client_for, official, assisting):
    sample = make_list_item(kind=assisting, name="示例事项", is_sample=True)
    client = client_for(official)
    assert "示例数据" in client.get(reverse("listings:catalogue")).content.decode()
    assert "示例数据" in client.get(reverse("listings:item_detail", args=[sample.pk])).content.decode()


def test_catalogue_query_count_is_flat(client_for, count_queries, official, tree):
    kinds = [make_list_kind(district=tree.district, purpose=p) for p in ("self_governance", "assisting")]
    department = DepartmentFactory(district=tree.district)
    for kind in kinds:
        make_list_item(kind=kind, responsible_department=department)
    client = client_for(official)
    url = reverse("listings:catalogue")
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for kind in kinds:
        for _ in range(12):
            make_list_item(kind=kind, responsible_department=department, is_sample=True)
    kinds.append(make_list_kind(district=tree.district, purpose="negative"))
    many = count_queries(lambda: client.get(url))
    assert many == few


def test_item_detail_query_count_is_flat(client_for, count_queries, official, assisting):
    from listings.services.catalogue import list_item_update

    item = make_list_item(kind=assisting)
    client = client_for(official)
    url = reverse("listings:item_detail", args=[item.pk])
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for n in range(10):
        item = list_item_update(actor=official, item=item, name=f"第{n}版")
    many = count_queries(lambda: client.get(url))
    assert many == few
