"""List pages: 25 rows a page, page links that keep the filters, search by name or by a whole ID number, filters
narrowed to the jurisdiction, masked phones and ID numbers."""

import re

import pytest
from django.urls import reverse

from governance.lib.pii import mask_phone
from governance.models import Role
from tests.factories import OrganisationFactory, ResidentFactory, make_id_number, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tree):
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[0])


def _rows(html: str) -> int:
    return len(re.findall(r'<td><a href="/grids/residents/\d+/">', html))


def test_pages_of_25_with_links_that_keep_the_filters(tree, staff, client_for):
    ResidentFactory.create_batch(30, grid=tree.grids[0], residence_type="floating")
    ResidentFactory.create_batch(3, grid=tree.grids[1], residence_type="floating")
    client = client_for(staff)
    url = reverse("grids:resident_list")
    query = f"?region={tree.grids[0].pk}&residence_type=floating"
    html = client.get(url + query).content.decode()
    assert _rows(html) == 25
    assert "30 records" in html and "Page 1 of 2" in html
    assert f'href="?region={tree.grids[0].pk}&amp;residence_type=floating&amp;page=2"' in html
    html = client.get(url + query + "&page=2").content.decode()
    assert _rows(html) == 5
    assert f'href="?region={tree.grids[0].pk}&amp;residence_type=floating&amp;page=1"' in html
    # A page number past the end shows the last page, not an error.
    assert _rows(client.get(url + query + "&page=99").content.decode()) == 5


def test_search_by_name_or_whole_id_number(tree, staff, client_for):
    id_number = make_id_number()
    ResidentFactory(grid=tree.grids[0], name="欧阳娜娜", id_number=id_number)
    ResidentFactory(grid=tree.grids[0], name="张三")
    client = client_for(staff)
    url = reverse("grids:resident_list")
    html = client.get(url, {"q": "欧阳"}).content.decode()
    assert "欧阳娜娜" in html and "张三" not in html
    html = client.get(url, {"q": id_number.lower()}).content.decode()
    assert "欧阳娜娜" in html and "张三" not in html
    html = client.get(url, {"q": id_number[:10]}).content.decode()       # part of an ID number finds nothing
    assert "欧阳娜娜" not in html


def test_region_filter_offers_only_the_jurisdiction(tree, staff, client_for):
    ResidentFactory(grid=tree.grids[2], name="邻社区居民")
    client = client_for(staff)
    html = client.get(reverse("grids:resident_list")).content.decode()
    assert tree.grids[0].code in html and tree.grids[2].code not in html
    # Posting a region outside the jurisdiction by id shows nothing from it.
    response = client.get(reverse("grids:resident_list"), {"region": tree.grids[2].pk})
    assert response.status_code == 200 and "邻社区居民" not in response.content.decode()


def test_organisation_list_masks_contact_phones(tree, staff, client_for):
    OrganisationFactory(grid=tree.grids[0], name="便民店", contact_phone="13812345678")
    html = client_for(staff).get(reverse("grids:organisation_list")).content.decode()
    assert "便民店" in html and mask_phone("13812345678") in html and "13812345678" not in html


@pytest.mark.parametrize("url_name", ["grids:resident_list", "grids:household_list", "grids:building_list",
                                      "grids:housing_list", "grids:organisation_list", "workforce:worker_list"])
def test_bad_filter_values_never_fail(tree, staff, client_for, url_name):
    response = client_for(staff).get(reverse(url_name), {"region": "abc", "page": "-1", "kind": "<x>", "q": "x" * 300,
                                                         "is_active": "maybe", "post": "boss"})
    assert response.status_code == 200
