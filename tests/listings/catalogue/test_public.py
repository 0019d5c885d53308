"""The public lists page: no login, a resident picks a community and sees its district's lists in force today,
sample items marked, no personal data; a page per item; flat query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from listings.services.catalogue import list_item_update
from tests.factories import make_user
from tests.listings.factories import make_list_item, make_list_kind

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/lists/public/"


@pytest.fixture
def lists(tree, official, assisting, forbidden):
    """Two lists with an item changed by a named official (whose name must never show publicly)."""
    official.full_name = "欧阳娜娜"
    official.save()
    item = make_list_item(kind=assisting, code="XZ-01", name="协助开展低保入户调查", legal_basis="《社会救助暂行办法》第十一条",
                          assist_method="配合入户调查", responsible_body="区民政局")
    list_item_update(actor=official, item=item, note="欧阳娜娜改了名称", name="协助开展最低生活保障入户调查")
    make_list_item(kind=assisting, code="XZ-02", name="示例协助事项", is_sample=True)
    make_list_item(kind=assisting, code="XZ-03", name="已废止的问卷", valid_to=D(2025, 12, 31), status="repealed")
    make_list_item(kind=forbidden, code="ZM-05", name="无犯罪记录证明", issuing_office="公安派出所（无犯罪记录证明）")
    return {"assisting": assisting, "forbidden": forbidden, "item": item}


def test_the_url_name_is_the_one_navigation_expects():
    assert reverse("listings:public") == URL


def test_anonymous_sees_the_place_picker(client, tree, lists):
    response = client.get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="place"' in body and tree.communities[0].name in body and "第1街道" in body
    assert "协助开展最低生活保障入户调查" not in body  # nothing until a place is chosen


def test_picking_a_community_shows_its_districts_lists_in_force_today(client, tree, lists):
    community = tree.communities[3]
    response = client.get(URL, {"place": community.pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert community.name in body and tree.district.name in body
    assert "依法协助政府工作事项清单" in body and "不得出具的证明事项清单" in body
    assert "协助开展最低生活保障入户调查" in body and "配合入户调查" in body and "《社会救助暂行办法》第十一条" in body
    assert "已废止的问卷" not in body  # not in force today
    assert "示例数据" in body  # the sample item is marked
    assert timezone.localdate().isoformat() in body


def test_the_forbidden_certificates_name_where_to_go(client, tree, lists):
    body = client.get(URL, {"place": tree.communities[0].pk, "kind": lists["forbidden"].pk}).content.decode()
    assert "无犯罪记录证明" in body and "公安派出所（无犯罪记录证明）" in body
    assert "协助开展最低生活保障入户调查" not in body  # only the chosen list's items


def test_no_personal_data_on_the_public_pages(client, tree, lists, official):
    pages = [client.get(URL, {"place": tree.communities[0].pk}).content.decode(),
             client.get(reverse("listings:public_item", args=[lists["item"].pk])).content.decode()]
    for body in pages:
        assert "欧阳娜娜" not in body and official.username not in body
        assert "改了名称" not in body  # revision notes are internal


def test_another_district_shows_only_its_own_lists(client, tree, other_tree, lists):
    make_list_kind(district=other_tree.district, purpose="assisting", name="邻区协助清单")
    body = client.get(URL, {"place": other_tree.communities[0].pk}).content.decode()
    assert "邻区协助清单" in body and "协助开展最低生活保障入户调查" not in body


@pytest.mark.parametrize("place", ["999999", "abc", "grid"])
def test_an_unknown_place_is_a_clear_error(client, tree, lists, place):
    if place == "grid":
        place = tree.grids[0].pk  # grids are not offered: pick the community
    response = client.get(URL, {"place": place})
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert "协助开展最低生活保障入户调查" not in response.content.decode()


def test_a_signed_in_resident_starts_at_their_community(client_for, tree, lists):
    resident = make_user(Role.RESIDENT, region=tree.grids[5])
    body = client_for(resident).get(URL).content.decode()
    assert "协助开展最低生活保障入户调查" in body
    assert f'value="{tree.communities[2].pk}" selected' in body


def test_public_item_page(client, lists):
    response = client.get(reverse("listings:public_item", args=[lists["item"].pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "协助开展最低生活保障入户调查" in body and "区民政局" in body and 'id="in-force-today"' in body
    assert client.get(reverse("listings:public_item", args=[999999])).status_code == 404


def test_public_page_query_count_is_flat(client, count_queries, tree, lists):
    params = {"place": tree.communities[0].pk}
    client.get(URL, params)
    few = count_queries(lambda: client.get(URL, params))
    for n in range(30):
        make_list_item(kind=lists["assisting"], is_sample=n % 2 == 0)
    make_list_kind(district=tree.district, purpose="other")
    many = count_queries(lambda: client.get(URL, params))
    assert many == few


def test_public_pages_paginate(client, tree, lists):
    for n in range(25):
        make_list_item(kind=lists["assisting"], code=f"Z-{n:02d}", name=f"分页事项{n:02d}")
    params = {"place": tree.communities[0].pk, "kind": lists["assisting"].pk}
    first = client.get(URL, params).content.decode()
    second = client.get(URL, {**params, "page": 2}).content.decode()
    assert "分页事项00" in first and "分页事项24" not in first
    assert "分页事项24" in second and 'rel="prev"' in second
