"""Interoperability against a real HTTP server (live_server), through clients that know nothing of our code.

1. `SpecClient`: a minimal GeoReport v2 client written only from the spec's text (plain urllib, both formats):
   discovery -> services -> definition -> POST -> GET one -> GET list -> token, and the error format.
   It always runs.
2. `georeport` (PyPI, Apache-2.0): read-only, so it checks the service list, a definition and requests. It is
   pinned in requirements-test.txt, with civicbot, which also POSTs (see test_client_library.py).
"""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from defusedxml import ElementTree

from tests.grids.open311.helpers import FORMATS, IN_GRID_1, KEY, make_incident

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = "http://wiki.open311.org/GeoReport_v2"
MIME = {"json": "application/json", "xml": "text/xml"}
LISTS = {"services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"}


class Open311HTTPError(Exception):
    def __init__(self, status, errors):
        super().__init__(status)
        self.status, self.errors = status, errors


class SpecClient:
    """GeoReport v2, from the spec: resources are {endpoint}/{resource}.{format}; POST bodies are
    application/x-www-form-urlencoded; XML lists are <plural><singular>…; JSON lists are arrays at the root;
    errors are a list of {code, description} with HTTP 400/403/404."""

    def __init__(self, discovery_url: str, fmt: str, api_key: str | None = None):
        self.fmt, self.api_key = fmt, api_key
        discovery = self._call(f"{discovery_url}.{fmt}")
        endpoint = next(e for e in discovery["endpoints"]
                        if e["specification"] == SPEC and MIME[fmt] in e["formats"])
        self.root = endpoint["url"].rstrip("/")

    # transport -----------------------------------------------------------------------------------
    def _call(self, url, *, params=None, form=None):
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = urllib.parse.urlencode(form).encode("utf-8") if form is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if form else "GET")  # noqa: S310 - test server
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - http to the test server
                content_type, content = response.headers["Content-Type"], response.read()
        except urllib.error.HTTPError as error:
            raise Open311HTTPError(error.code, self._parse(error.read(), error.headers["Content-Type"])) from None
        return self._parse(content, content_type)

    def _parse(self, content: bytes, content_type: str):
        assert content_type == f"{MIME[self.fmt]}; charset=utf-8", content_type
        if self.fmt == "json":
            return json.loads(content.decode("utf-8"))
        assert content.startswith(b"<?xml")
        return self._xml(ElementTree.fromstring(content))

    def _xml(self, element):
        children = list(element)
        if element.tag in LISTS:
            return [self._xml(child) for child in children]
        if not children:
            text = element.text or ""
            return {"true": True, "false": False}.get(text, text)
        return {child.tag: self._xml(child) for child in children}

    # the spec's calls ----------------------------------------------------------------------------
    def services(self):
        return self._call(f"{self.root}/services.{self.fmt}")

    def definition(self, service_code):
        return self._call(f"{self.root}/services/{service_code}.{self.fmt}")

    def create(self, **params):
        return self._call(f"{self.root}/requests.{self.fmt}", form={"api_key": self.api_key, **params})

    def requests(self, **filters):
        return self._call(f"{self.root}/requests.{self.fmt}", params=filters)

    def request(self, service_request_id):
        (item,) = self._call(f"{self.root}/requests/{service_request_id}.{self.fmt}")
        return item

    def token(self, token):
        (item,) = self._call(f"{self.root}/tokens/{token}.{self.fmt}")
        return item


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_spec_only_client_completes_the_whole_loop(live_server, world, fmt):
    client = SpecClient(f"{live_server.url}/open311/v2/discovery", fmt, api_key=KEY)
    assert client.root == f"{live_server.url}/open311/v2"

    services = client.services()
    service = next(s for s in services if s["service_name"] == "路灯不亮")
    assert service["metadata"] is True and service["type"] == "realtime"

    definition = client.definition(service["service_code"])
    request_type = next(a for a in definition["attributes"] if a["code"] == "request_type")
    assert request_type["datatype"] == "singlevaluelist"
    choice = request_type["values"][2]["key"]                        # whatever the server offers

    (receipt,) = client.create(service_code=service["service_code"], lat=IN_GRID_1[0], long=IN_GRID_1[1],
                               description="路灯不亮 <b>test</b>", first_name="小明", last_name="王",
                               phone="13912345678", **{f"attribute[{request_type['code']}]": choice})
    request_id = receipt["service_request_id"]
    assert request_id and "token" not in receipt                     # realtime: an id, never both

    one = client.request(request_id)
    assert one["service_request_id"] == request_id
    assert one["service_code"] == service["service_code"]
    assert one["status"] == "open"
    assert one["description"] == "路灯不亮 <b>test</b>"
    assert one["address_id"] == world.grids[1].code
    assert "王小明" not in json.dumps(one, ensure_ascii=False) and "13912345678" not in json.dumps(one)

    listed = client.requests(service_code=service["service_code"], status="open")
    assert request_id in [r["service_request_id"] for r in listed]
    assert [r["service_request_id"] for r in client.requests(service_request_id=request_id)] == [request_id]
    assert client.token(request_id) == {"service_request_id": request_id, "token": request_id}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_spec_only_client_reads_the_error_format(live_server, world, fmt):
    discovery = f"{live_server.url}/open311/v2/discovery"

    with pytest.raises(Open311HTTPError) as forbidden:
        SpecClient(discovery, fmt, api_key="not-a-key").create(service_code="01001001", address_id=world.grids[0].code)
    with pytest.raises(Open311HTTPError) as missing:
        SpecClient(discovery, fmt).request("NO-SUCH-ID")

    assert forbidden.value.status == 403 and str(forbidden.value.errors[0]["code"]) == "403"
    assert missing.value.status == 404 and missing.value.errors[0]["description"]


def test_the_georeport_library_reads_our_server(live_server, world):
    import georeport
    incident = make_incident(world, category=world.manhole, grid=world.grids[1])

    for fmt in FORMATS:
        client = georeport.GeoReport(f"{live_server.url}/open311/v2/", output_format=fmt)
        services = client.get_service_list()
        codes = [s["service_code"] for s in services]
        assert codes == ["01001001", "01001002", "01001004", "90001001"], fmt

        definition = client.get_service_definition("01001002")
        attributes = definition["attributes"]
        attribute = attributes[0] if fmt == "json" else attributes["attribute"]   # xmltodict: a lone child is a dict
        assert attribute["code"] == "request_type"

        listed = client.get_service_requests(service_code="01001002", status="open")
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [incident.tracking_code], fmt

        one = client.get_service_request(incident.tracking_code)
        assert one["service_request_id"] == incident.tracking_code
        assert one["agency_responsible"] in ("", None)
