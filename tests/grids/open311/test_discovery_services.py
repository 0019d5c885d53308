"""Discovery, service list and service definitions, in JSON and XML: the spec's element names and fields."""

import pytest

from tests.grids.open311.helpers import BASE, FORMATS, body, xml_root

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_document(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")

    assert response.status_code == 200
    data = body(response, fmt)
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    assert all(data[key] for key in ("changeset", "contact", "key_service"))
    (endpoint,) = data["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] in ("production", "test")
    assert endpoint["changeset"] == data["changeset"]
    assert sorted(endpoint["formats"]) == ["application/json", "text/xml"]


def test_discovery_xml_element_names(client):
    root = xml_root(client.get(f"{BASE}/discovery.xml").content)

    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_leaves(client, world, fmt):
    response = client.get(f"{BASE}/services.{fmt}")

    assert response.status_code == 200
    services = body(response, fmt)
    # Listed: active 细类 without an active sub-category. Not listed: the inactive leaf, the leaf under an inactive
    # root, the childless 小类 and the classes above.
    assert [s["service_code"] for s in services] == ["01001001", "01001002", "01001004", "90001001"]
    streetlight = services[0]
    assert list(streetlight) == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert streetlight["service_name"] == "路灯不亮"
    assert streetlight["group"] == "市容环境"                    # the top-level class
    assert streetlight["description"] == "市容环境 › 道路设施 › 路灯不亮"
    assert streetlight["type"] == "realtime"
    assert streetlight["metadata"] in (True, "true")
    assert streetlight["keywords"] == "路灯,照明,灯,坏"           # Chinese separators normalised to commas
    assert services[3]["group"] == "公用设施部件"                  # the component tree is offered too


def test_services_xml_element_names(client, world):
    root = xml_root(client.get(f"{BASE}/services.xml").content)

    assert root.tag == "services"
    assert {c.tag for c in root} == {"service"}
    first = root.find("service")
    assert [c.tag for c in first] == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                                      "group"]
    assert first.findtext("metadata") == "true"


def test_empty_service_list(client, db):
    assert client.get(f"{BASE}/services.json").json() == []
    root = xml_root(client.get(f"{BASE}/services.xml").content)
    assert root.tag == "services" and len(root) == 0


def test_service_list_query_count_is_flat(client, world, count_queries):
    assert count_queries(lambda: client.get(f"{BASE}/services.json")) == 1
    assert count_queries(lambda: client.get(f"{BASE}/services/01001001.json")) == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition(client, world, fmt):
    response = client.get(f"{BASE}/services/01001001.{fmt}")

    assert response.status_code == 200
    definition = body(response, fmt)
    assert definition["service_code"] == "01001001"
    request_type, conditions = definition["attributes"]
    assert request_type["code"] == "request_type"
    assert request_type["datatype"] == "singlevaluelist"
    assert request_type["variable"] in (True, "true")
    assert request_type["required"] in (False, "false")
    assert str(request_type["order"]) == "1"
    keys = [v["key"] for v in request_type["values"]]
    assert keys == ["consult", "help", "complaint", "report", "suggestion", "praise", "other"]
    # The registering conditions are shown as display-only text.
    assert conditions["variable"] in (False, "false")
    assert conditions["description"] == "路灯连续两晚以上不亮。"
    assert str(conditions["order"]) == "2"


def test_service_definition_xml_element_names(client, world):
    root = xml_root(client.get(f"{BASE}/services/01001002.xml").content)

    assert root.tag == "service_definition"
    assert [c.tag for c in root] == ["service_code", "attributes"]
    (attribute,) = root.findall("attributes/attribute")      # no opening conditions on this leaf
    assert [c.tag for c in attribute] == ["variable", "code", "datatype", "required", "datatype_description",
                                          "order", "description", "values"]
    values = attribute.findall("values/value")
    assert len(values) == 7 and [c.tag for c in values[0]] == ["key", "name"]


@pytest.mark.parametrize("code", ["01001003", "02001001", "01001004001", "01002", "01001", "01", "nope", "0" * 200])
@pytest.mark.parametrize("fmt", FORMATS)
def test_only_active_leaves_have_a_definition(client, world, code, fmt):
    response = client.get(f"{BASE}/services/{code}.{fmt}")

    assert response.status_code == 404
    data = body(response, fmt)
    assert str(data[0]["code"]) == "404"
