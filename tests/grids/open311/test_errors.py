"""The error matrix: the spec's [{code, description}] / <errors><error> body with 400, 403 and 404, in both formats;
never a 500 and never the site's HTML error page."""

from urllib.parse import urlencode

import pytest

from grids.models import Incident
from tests.grids.open311.helpers import BASE, FORMATS, IN_GRID_0, KEY, OUTSIDE, errors_of, post_form

pytestmark = pytest.mark.django_db


def assert_error(response, fmt, status, code=None, words=""):
    assert response.status_code == status, response.content.decode()
    errors = errors_of(response, fmt)
    assert errors[0]["code"] == (code or status)
    assert all(e["description"] for e in errors)
    if words:
        assert any(words in e["description"] for e in errors), errors
    return errors


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("api_key", [None, "", "wrong-key", KEY[:-1], KEY + "x", KEY.upper()])
def test_post_without_a_valid_api_key_is_403(client, world, fmt, api_key):
    params = {"service_code": "01001001", "lat": IN_GRID_0[0], "long": IN_GRID_0[1]}
    if api_key is None:      # not sent at all
        response = client.post(f"{BASE}/requests.{fmt}", urlencode(params),
                               content_type="application/x-www-form-urlencoded")
    else:
        response = post_form(client, fmt, api_key=api_key, **params)

    assert_error(response, fmt, 403, words="api_key")
    assert not Incident.objects.exists()


def test_no_keys_configured_means_no_writes(client, world, settings):
    settings.GONGZHI_OPEN311_KEYS = {}
    assert_error(post_form(client, "json", service_code="01001001", address_id=world.grids[0].code), "json", 403)


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_missing_service_code_is_400(client, world, fmt):
    assert_error(post_form(client, fmt, lat=IN_GRID_0[0], long=IN_GRID_0[1]), fmt, 400, words="service_code")


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_missing_location_is_400(client, world, fmt):
    assert_error(post_form(client, fmt, service_code="01001001", description="x"), fmt, 400, words="location")


def test_post_missing_both_reports_both(client, world):
    errors = assert_error(post_form(client, "json"), "json", 400)
    assert len(errors) == 2


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["999", "01001003", "01001"])
def test_post_unknown_service_is_404(client, world, fmt, code):
    assert_error(post_form(client, fmt, service_code=code, lat=IN_GRID_0[0], long=IN_GRID_0[1]), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_point_outside_every_grid_is_400(client, world, fmt):
    assert_error(post_form(client, fmt, service_code="01001001", lat=OUTSIDE[0], long=OUTSIDE[1]), fmt, 400,
                 words="outside every grid")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_unknown_request_is_404(client, world, fmt):
    assert_error(client.get(f"{BASE}/requests/NOPE-123.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_unknown_service_definition_is_404(client, world, fmt):
    assert_error(client.get(f"{BASE}/services/999.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query, words", [
    ("start_date=yesterday", "start_date"),
    ("end_date=2026-13-45", "end_date"),
    ("start_date=2026-01-01T25:00:00Z", "start_date"),
    ("start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "before"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z", "90 days"),
    ("start_date=2026-01-01&end_date=2026-04-01", "90 days"),
    ("status=pending", "status"),
    ("page=0", "page"),
    ("page_size=-1", "page_size"),
    ("page=abc", "page"),
    ("service_request_id=" + ",".join(f"A{n}" for n in range(1001)), "1000"),
    ("start_date=%00", "start_date"),
])
def test_bad_query_parameters_are_400(client, world, fmt, query, words):
    assert_error(client.get(f"{BASE}/requests.{fmt}?{query}"), fmt, 400, words=words)


def test_a_window_of_exactly_90_days_is_fine(client, world):
    response = client.get(f"{BASE}/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:00Z")
    assert response.status_code == 200


@pytest.mark.parametrize("path, fmt", [
    ("services.html", "xml"), ("requests.csv", "xml"), ("discovery", "xml"), ("services.JSON", "xml"),
    ("services/01001001.yaml", "xml"), ("requests/T1.txt", "xml"), ("nothing.json", "json"), ("", "xml"),
    ("services.json/", "xml"), ("tokens.json", "json"),
])
def test_unsupported_format_or_resource_is_404_in_the_spec_format(client, world, path, fmt):
    response = client.get(f"{BASE}/{path}")
    assert_error(response, fmt, 404)
    assert b"<html" not in response.content.lower()


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_other_methods_are_400_with_405_in_the_body(client, world, method):
    response = getattr(client, method)(f"{BASE}/requests.json")
    assert_error(response, "json", 400, code=405)


def test_get_only_resources_refuse_post(client, world):
    assert_error(client.post(f"{BASE}/services.json", {"api_key": KEY}), "json", 400, code=405)


@pytest.mark.parametrize("fmt", FORMATS)
def test_json_body_is_an_unsupported_media_type(client, world, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", {"api_key": KEY, "service_code": "01001001"},
                           content_type="application/json")
    assert_error(response, fmt, 400, code=415)


def test_unexpected_failure_is_a_logged_400_not_a_500(client, world, monkeypatch, caplog):
    from grids.open311 import selectors

    def broken():
        raise RuntimeError("database went away")

    monkeypatch.setattr(selectors, "service_list", broken)
    caplog.open311_failures_expected = True

    response = client.get(f"{BASE}/services.xml")

    assert_error(response, "xml", 400, words="General error")
    assert "database went away" not in response.content.decode()
    assert any("Open311 request failed" in r.getMessage() for r in caplog.records)


def test_throttled_clients_get_429_with_retry_after(client, world, settings):
    settings.GONGZHI_OPEN311_THROTTLE_RATE = "2/min"
    for _ in range(2):
        assert client.get(f"{BASE}/services.json").status_code == 200

    response = client.get(f"{BASE}/services.json")

    assert_error(response, "json", 429)
    assert int(response["Retry-After"]) > 0


def test_accept_header_does_not_override_the_suffix(client, world):
    response = client.get(f"{BASE}/services.json", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"] == "application/json; charset=utf-8"
    response = client.get(f"{BASE}/services.xml?format=json", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "text/xml; charset=utf-8"
