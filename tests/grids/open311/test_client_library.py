"""Our GeoReport v2 server, driven over real HTTP (live_server) by independent Open311 client libraries from PyPI,
pinned in requirements-test.txt. Neither library knows anything of this project.

1. civicbot 0.4.0 (MIT, standard library only): `civicbot.open311.Open311Client` is the only maintained Python client
   found that can also POST. It reads the service list, a service definition, requests with the spec's filters
   (service_code, status, start_date/end_date, service_request_id, page_size), one request and a token, and creates
   a request (`create_request(..., dry_run=False, confirm="SEND", api_key=...)`) after checking the payload against
   our live service definition (`validate_remote=True`). It speaks JSON only (its transport parses JSON); it has no
   discovery call, so the discovery document is read through its own HTTP transport and the endpoint URL taken from
   it, as an integrator would.
2. georeport 0.3.1 (Apache-2.0, requests + xmltodict): read-only, in both formats, so it reads the request created
   through civicbot back in XML and JSON, with filters.

(`three` 0.8.0, the other client on PyPI that can POST, imports `itertools.ifilter` and does not load on Python 3;
`open311` 1.1 is Python 2 only.)
"""

import datetime

import pytest
from django.utils import timezone

from grids.models import Incident
from tests.grids.open311.helpers import IN_GRID_1, KEY, make_incident

civicbot_http = pytest.importorskip("civicbot.http", reason="civicbot is pinned in requirements-test.txt")
civicbot_open311 = pytest.importorskip("civicbot.open311")
civicbot_registry = pytest.importorskip("civicbot.registry")
georeport = pytest.importorskip("georeport", reason="georeport is pinned in requirements-test.txt")

pytestmark = pytest.mark.django_db(transaction=True)

SPEC = "http://wiki.open311.org/GeoReport_v2"


def _transport():
    """civicbot's own transport, without its politeness delay (0.5 s between calls to one host)."""
    return civicbot_http.HttpTransport(rate_limiter=civicbot_http.RateLimiter(min_interval=0))


def _civicbot_client(live_server):
    """Discovery → the GeoReport v2 endpoint that serves JSON → a civicbot client for it."""
    transport = _transport()
    discovery = transport.get_json(f"{live_server.url}/open311/v2/discovery.json")
    endpoint = next(e for e in discovery["endpoints"]
                    if e["specification"] == SPEC and "application/json" in e["formats"])
    assert endpoint["url"] == f"{live_server.url}/open311/v2"
    assert discovery["changeset"] and discovery["contact"] and discovery["key_service"]
    where = civicbot_registry.Endpoint(id="gongzhi", name="Gongzhi", base_url=endpoint["url"], write=True)
    return civicbot_open311.Open311Client(where, transport=transport)


def _as_list(value):
    """xmltodict gives a dict for a lone child and a list for repeated ones."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def test_civicbot_reads_services_and_definitions(live_server, world):
    client = _civicbot_client(live_server)

    services = client.list_services()
    assert [s["service_code"] for s in services] == ["01001001", "01001002", "01001004", "90001001"]
    streetlight = next(s for s in services if s["service_code"] == "01001001")
    assert streetlight["service_name"] == "路灯不亮"
    assert streetlight["metadata"] is True and streetlight["type"] == "realtime"

    definition = client.get_service_definition("01001001")
    assert definition["service_code"] == "01001001"
    request_type = next(a for a in definition["attributes"] if a["code"] == "request_type")
    assert request_type["datatype"] == "singlevaluelist" and request_type["variable"] is True
    assert {v["key"] for v in request_type["values"]} >= {"help", "complaint", "consult"}

    with pytest.raises(civicbot_http.HttpError) as unknown:
        client.get_service_definition("99999999")
    assert unknown.value.status == 404


def test_civicbot_posts_a_request_and_reads_it_back(live_server, world):
    client = _civicbot_client(live_server)
    older = make_incident(world, category=world.manhole, grid=world.grids[0])

    # The library checks the payload against our live service list and definition, then POSTs it.
    prepared = client.create_request(
        "01001001", dry_run=False, confirm="SEND", api_key=KEY, validate_remote=True,
        lat=IN_GRID_1[0], lng=IN_GRID_1[1], description="3号楼门前路灯不亮，晚上很黑。",
        first_name="小明", last_name="王", phone="13912345678", attributes={"request_type": "complaint"})
    assert prepared.dry_run is False and prepared.warnings == []
    (receipt,) = prepared.response
    request_id = receipt["service_request_id"]
    assert request_id and "token" not in receipt and receipt["service_notice"]

    incident = Incident.objects.get(tracking_code=request_id)
    assert incident.channel == Incident.Channel.OPEN311
    assert incident.request_type == "complaint"
    assert incident.grid == world.grids[1]                     # placed by the point
    assert incident.category == world.streetlight
    assert incident.reporter_phone == "13912345678"            # kept, encrypted …

    one = client.get_request(request_id)
    assert one["service_request_id"] == request_id
    assert one["service_code"] == "01001001" and one["status"] == "open"
    assert one["description"] == "3号楼门前路灯不亮，晚上很黑。"
    assert one["address_id"] == world.grids[1].code
    assert "13912345678" not in str(one) and "王小明" not in str(one)  # … and never published

    # The spec's filters, as the library sends them.
    assert [r["service_request_id"] for r in client.list_requests(service_code="01001001")] == [request_id]
    assert [r["service_request_id"] for r in client.list_requests(status="open")] == [request_id,
                                                                                      older.tracking_code]
    assert client.list_requests(status="closed") == []
    both = client.list_requests(service_request_ids=[older.tracking_code, request_id])
    assert sorted(r["service_request_id"] for r in both) == sorted([older.tracking_code, request_id])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert client.list_requests(start_date=tomorrow) == []
    week_ago = (timezone.now() - datetime.timedelta(days=7)).isoformat(timespec="seconds")
    assert request_id in [r["service_request_id"] for r in client.list_requests(start_date=week_ago)]
    assert len(client.list_requests(page_size=1)) == 1
    assert client.get_token(request_id) == [{"service_request_id": request_id, "token": request_id}]

    with pytest.raises(civicbot_http.HttpError) as missing:
        client.get_request("NO-SUCH-ID")
    assert missing.value.status == 404


def test_civicbot_is_refused_without_a_valid_key(live_server, world):
    client = _civicbot_client(live_server)
    with pytest.raises(civicbot_http.HttpError) as refused:
        client.create_request("01001001", dry_run=False, confirm="SEND", api_key="not-a-key",
                              address_id=world.grids[0].code, description="测试")
    assert refused.value.status == 403
    assert '"code":403' in refused.value.body.replace(" ", "")
    # The library's own validation against our definition catches a value we do not offer.
    with pytest.raises(civicbot_open311.ValidationError):
        client.create_request("01001001", validate_remote=True, api_key=KEY, address_id=world.grids[0].code,
                              attributes={"request_type": "not-a-type"})
    assert not Incident.objects.filter(channel=Incident.Channel.OPEN311).exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_reads_a_request_created_through_civicbot(live_server, world, fmt):
    (receipt,) = _civicbot_client(live_server).create_request(
        "01001002", dry_run=False, confirm="SEND", api_key=KEY, address_id=world.grids[0].code,
        description="井盖缺失", attributes={"request_type": "report"}).response
    request_id = receipt["service_request_id"]
    closed = make_incident(world, category=world.manhole, status=Incident.Status.CLOSED,
                           closed_at=timezone.now())
    reader = georeport.GeoReport(f"{live_server.url}/open311/v2/", output_format=fmt)

    services = reader.get_service_list()
    assert [s["service_code"] for s in services] == ["01001001", "01001002", "01001004", "90001001"]
    definition = reader.get_service_definition("01001002")
    attributes = definition["attributes"] if fmt == "json" else _as_list(definition["attributes"]["attribute"])
    assert [a["code"] for a in attributes] == ["request_type"]

    listed = _as_list(reader.get_service_requests(service_code="01001002"))
    assert [r["service_request_id"] for r in listed] == [closed.tracking_code, request_id]
    open_only = _as_list(reader.get_service_requests(service_code="01001002", status="open"))
    assert [r["service_request_id"] for r in open_only] == [request_id]
    closed_only = _as_list(reader.get_service_requests(status="closed"))
    assert [r["service_request_id"] for r in closed_only] == [closed.tracking_code]
    by_id = _as_list(reader.get_service_requests(service_request_id=request_id, status="closed"))
    assert [r["service_request_id"] for r in by_id] == [request_id]      # the id overrides the other filters
    today = timezone.localdate()
    window = _as_list(reader.get_service_requests(start_date=(today - datetime.timedelta(days=1)).isoformat(),
                                                  end_date=today.isoformat(), service_code="01001002"))
    assert len(window) == 2

    one = reader.get_service_request(request_id)
    assert one["service_request_id"] == request_id and one["status"] == "open"
    assert one["address_id"] == world.grids[0].code and one["service_name"] == "井盖缺失"
