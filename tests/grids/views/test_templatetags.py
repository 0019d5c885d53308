"""grids_tags: optional links that render nothing while the import/export pages do not exist, and masking."""

import pytest
from django.template import Context, RequestContext, Template
from django.test import override_settings
from django.utils import translation

from grids.templatetags.grids_tags import masked_id, masked_phone, network_labels, url_if_exists


def _render(context: dict) -> str:
    template = Template('{% include "grids/includes/import_export_links.html" %}')
    return template.render(Context(context)).strip()


@override_settings(ROOT_URLCONF="tests.grids.views.urls_without_imports")
def test_links_render_nothing_without_the_urls():
    assert url_if_exists("grids:register_export", "residents") == ""
    assert url_if_exists("grids:nowhere") == ""
    assert url_if_exists("grids:tree") == "/grids/"
    assert _render({"register": "residents", "can_edit": True}) == ""


@override_settings(ROOT_URLCONF="tests.grids.views.urls_with_imports")
@pytest.mark.parametrize("register", ["residents", "households", "buildings", "housing", "organisations"])
def test_links_render_when_the_urls_exist(register):
    html = _render({"register": register, "can_edit": True})
    assert f'href="/grids/imports/{register}/new/"' in html
    assert f'href="/grids/exports/{register}/"' in html
    read_only = _render({"register": register, "can_edit": False})
    assert "/imports/" not in read_only and f'href="/grids/exports/{register}/"' in read_only


@override_settings(ROOT_URLCONF="tests.grids.views.urls_with_imports")
def test_tag_with_as_variable():
    html = Template("{% load grids_tags %}{% url_if_exists 'grids:register_export' 'housing' as u %}[{{ u }}]").render(
        Context({}))
    assert html == "[/grids/exports/housing/]"


def test_filters():
    assert masked_id("11010519491231002X") == "1101**********002X"
    assert masked_phone("13812345678") == "138****5678"
    assert masked_id(None) == "" and masked_phone("") == ""
    with translation.override("en"):
        assert [str(label) for label in network_labels(["party", "urban", "unknown"])] == [
            "Party building (党建)", "Urban management (城管)", "unknown"]
    with translation.override("zh-hans"):
        assert [str(label) for label in network_labels(["party", "urban"])] == ["党建", "城管"]


@override_settings(ROOT_URLCONF="tests.grids.views.urls_with_imports")
def test_export_link_keeps_the_list_filters(rf):
    request = rf.get("/grids/residents/", {"q": "王", "status": "active", "page": "3"})
    template = Template('{% include "grids/includes/import_export_links.html" %}')
    html = template.render(RequestContext(request, {"register": "residents", "can_edit": False}))
    assert 'href="/grids/exports/residents/?q=%E7%8E%8B&amp;status=active"' in html


@pytest.mark.django_db
def test_list_pages_link_to_the_real_import_and_export_pages(tree, client_for):
    """With the import engineer's URLs in place, the list pages show both links (import to editors only)."""
    from django.urls import NoReverseMatch, reverse

    from governance.models import Role
    from tests.factories import make_user

    try:
        export = reverse("grids:register_export", args=["buildings"])
        import_ = reverse("grids:import_create", args=["buildings"])
    except NoReverseMatch:
        pytest.skip("import/export pages not installed")
    editor = client_for(make_user(Role.COMMUNITY_STAFF, region=tree.communities[0]))
    html = editor.get(reverse("grids:building_list")).content.decode()
    assert import_ in html and export in html
    reader = client_for(make_user(Role.DISTRICT_OFFICIAL, region=tree.district))
    html = reader.get(reverse("grids:building_list")).content.decode()
    assert import_ not in html and export in html
