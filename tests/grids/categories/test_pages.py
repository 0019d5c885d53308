"""The responsibility-list pages: who sees them (staff read, district officials edit), forms that keep what was
typed and answer bad input with 400, Excel import/export through the pages, and a flat query count."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grids.models import Category
from tests.grids.categories.conftest import add, make_xlsx, sheet_rows

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.grids.categories.urls")]

STAFF = ["grid_worker", "community_staff", "street_staff", "department_handler", "district_official"]
NOT_STAFF = ["resident", "system_admin", "security_admin", "auditor"]
STAFF_NOT_EDITORS = ["grid_worker", "community_staff", "street_staff", "department_handler"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client_for(client_for, settings):
    def make(user):
        c = client_for(user)
        c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


def _pages(small_tree):
    return [
        ("get", reverse("grids:category_tree"), {}),
        ("get", reverse("grids:category_export", args=["event"]), {}),
        ("get", reverse("grids:category_create") + "?tree=event", {}),
        ("post", reverse("grids:category_create") + f"?parent={small_tree.mid.pk}",
         {"code": "010103", "name": "道路不洁", "handling_level": "street", "sign_for_hours": 24, "handle_hours": 168}),
        ("get", reverse("grids:category_edit", args=[small_tree.garbage.pk]), {}),
        ("post", reverse("grids:category_edit", args=[small_tree.garbage.pk]),
         {"code": "010101", "name": "改名", "handling_level": "community", "sign_for_hours": 24, "handle_hours": 168}),
        ("get", reverse("grids:category_import"), {}),
        ("post", reverse("grids:category_import"), {"tree": "event"}),
    ]


def test_anonymous_is_sent_to_login(client, small_tree):
    for method, url, data in _pages(small_tree):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", NOT_STAFF)
def test_accounts_off_the_staff_get_404_everywhere(client_for, people, small_tree, role):
    c = client_for(getattr(people, role))
    for method, url, data in _pages(small_tree):
        assert getattr(c, method)(url, data).status_code == 404, (role, url)
    assert not Category.objects.filter(code="010103").exists()


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_the_list_and_exports_it(client_for, people, small_tree, role):
    c = client_for(getattr(people, role))
    response = c.get(reverse("grids:category_tree"))
    assert response.status_code == 200
    text = response.content.decode()
    for needle in ("暴露垃圾", "积存渣土", "上水井盖", "示范区城市管理综合行政执法局（城管执法局）", "公共区域暴露垃圾。"):
        assert needle in text
    assert response.context["can_edit"] == (role == "district_official")
    export = c.get(reverse("grids:category_export", args=["component"]))
    assert export.status_code == 200 and export["Content-Type"] == XLSX
    assert [row[0] for row in sheet_rows(export.content)] == ["编码", "B01", "B0101", "B010101"]
    assert c.get(reverse("grids:category_export", args=["galaxy"])).status_code == 404


@pytest.mark.parametrize("role", STAFF_NOT_EDITORS)
def test_staff_who_are_not_district_officials_may_not_edit(client_for, people, small_tree, role):
    c = client_for(getattr(people, role))
    for method, url, data in _pages(small_tree)[2:]:
        assert getattr(c, method)(url, data).status_code == 403, (role, url)
    small_tree.garbage.refresh_from_db()
    assert small_tree.garbage.name == "暴露垃圾"
    assert not Category.objects.filter(code="010103").exists()


def test_the_official_creates_a_leaf(client_for, official, small_tree, departments):
    c = client_for(official)
    url = reverse("grids:category_create") + f"?parent={small_tree.mid.pk}"
    page = c.get(url)
    assert page.status_code == 200 and page.context["form"]["code"].initial == "0101"
    response = c.post(url, {"code": "010103", "name": "道路不洁", "handling_level": "department",
                            "department": departments["CGZF"].pk, "sign_for_hours": "24", "handle_hours": "168",
                            "urgent_handle_hours": "72", "opening_conditions": "路面脏污。", "keywords": "路面"})
    created = Category.objects.get(code="010103")
    assert response.status_code == 302 and response["Location"].endswith(f"#category-{created.pk}")
    assert (created.depth, created.department, created.urgent_handle_hours) == (3, departments["CGZF"], 72)
    root = c.post(reverse("grids:category_create"), {"tree": "component", "code": "B05", "name": "其他设施",
                                                       "sign_for_hours": "24", "handle_hours": "168"})
    assert root.status_code == 302 and Category.objects.get(code="B05").tree == "component"


@pytest.mark.parametrize("data, field", [
    ({"code": "010103", "name": "", "handling_level": "street", "sign_for_hours": "24", "handle_hours": "168"}, "name"),
    ({"code": "010103", "name": "道路不洁", "handling_level": "street", "sign_for_hours": "abc",
      "handle_hours": "168"}, "sign_for_hours"),
    ({"code": "010103", "name": "道路不洁", "handling_level": "department", "sign_for_hours": "24",
      "handle_hours": "168"}, "department"),  # service: department level needs a department
    ({"code": "020103", "name": "道路不洁", "handling_level": "street", "sign_for_hours": "24",
      "handle_hours": "168"}, "code"),  # service: must start with the parent's code
    ({"code": "010103", "name": "道路不洁", "handling_level": "street", "sign_for_hours": "48",
      "handle_hours": "24"}, "sign_for_hours"),  # service: sign-for within handling
    ({"code": "010103", "name": "道路不洁", "handling_level": "street", "department": "999999",
      "sign_for_hours": "24", "handle_hours": "168"}, "department"),  # not a choice
    ({"code": "010103", "name": "道路不洁", "handling_level": "province", "sign_for_hours": "24",
      "handle_hours": "168"}, "handling_level"),
])
def test_bad_input_is_a_400_that_keeps_the_typing(client_for, official, small_tree, data, field):
    url = reverse("grids:category_create") + f"?parent={small_tree.mid.pk}"
    data = {**data, "keywords": "我输入的关键词", "opening_conditions": "我输入的条件"}
    response = client_for(official).post(url, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    text = response.content.decode()
    assert "我输入的关键词" in text and "我输入的条件" in text
    assert not Category.objects.filter(name="道路不洁").exists()


def test_unknown_parent_or_category_is_404(client_for, official, small_tree):
    c = client_for(official)
    assert c.get(reverse("grids:category_create") + "?parent=999999").status_code == 404
    assert c.get(reverse("grids:category_create") + "?parent=abc").status_code == 404
    assert c.get(reverse("grids:category_edit", args=[999999])).status_code == 404


def test_the_official_edits_and_deactivates(client_for, official, small_tree):
    c = client_for(official)
    url = reverse("grids:category_edit", args=[small_tree.mid.pk])
    page = c.get(url)
    assert page.status_code == 200 and page.context["form"]["code"].field.disabled  # has sub-categories
    response = c.post(url, {"code": "9999", "name": "环境卫生（市容）", "handling_level": "", "sign_for_hours": "24",
                            "handle_hours": "168"})  # is_active unchecked → deactivate the subtree
    assert response.status_code == 302
    mid = Category.objects.get(pk=small_tree.mid.pk)
    assert (mid.code, mid.name, mid.is_active) == ("0101", "环境卫生（市容）", False)
    assert not Category.objects.filter(path__startswith=mid.path, is_active=True).exists()


def test_import_through_the_page(client_for, official, small_tree):
    c = client_for(official)
    good = make_xlsx(["编码", "上级编码", "名称", "处置层级"], [["010103", "0101", "道路不洁", "街道"]])
    response = c.post(reverse("grids:category_import"),
                      {"tree": "event", "file": SimpleUploadedFile("c.xlsx", good, content_type=XLSX)})
    assert response.status_code == 302 and response["Location"].endswith("#tree-event")
    assert Category.objects.filter(code="010103", handling_level="street").exists()
    bad = make_xlsx(["编码", "上级编码", "名称", "处置层级"], [["010104", "0101", "垃圾桶满溢", "省级"]])
    response = c.post(reverse("grids:category_import"),
                      {"tree": "event", "file": SimpleUploadedFile("c.xlsx", bad, content_type=XLSX)})
    assert response.status_code == 400
    assert [(e["row"], e["column"]) for e in response.context["result"].errors] == [(2, "处置层级")]
    assert "Nothing was imported" in response.content.decode()
    broken = c.post(reverse("grids:category_import"),
                    {"tree": "event", "file": SimpleUploadedFile("c.xlsx", b"garbage", content_type=XLSX)})
    assert broken.status_code == 400 and "could not be read" in broken.content.decode()
    assert not Category.objects.filter(code="010104").exists()


def test_search_on_the_tree_page(client_for, people, small_tree):
    response = client_for(people.grid_worker).get(reverse("grids:category_tree"), {"q": "井盖", "tree": "component"})
    assert [item.code for item in response.context["results"]] == ["B010101"]
    response = client_for(people.grid_worker).get(reverse("grids:category_tree"), {"q": "不存在的东西"})
    assert response.context["results"] == []


def test_the_pages_carry_no_inline_script_or_style(client_for, official, small_tree):
    c = client_for(official)
    for url in (reverse("grids:category_tree"), reverse("grids:category_import"),
                reverse("grids:category_edit", args=[small_tree.garbage.pk])):
        text = c.get(url).content.decode()
        assert "style=" not in text and "<style" not in text and "onclick" not in text
        assert "<script>" not in text and "<script " not in text.replace('<script src=', "")


def test_tree_page_query_count_is_flat(client_for, official, small_tree, departments, count_queries):
    c = client_for(official)
    url = reverse("grids:category_tree")
    c.get(url)  # warm-up
    few = count_queries(lambda: c.get(url))
    parent = small_tree.mid
    for n in range(30):
        add(parent, f"0101{n + 10:02d}", f"细类{n}", handling_level="department",
            department=list(departments.values())[n % len(departments)], opening_conditions="条件")
    many = count_queries(lambda: c.get(url))
    assert many == few
