"""A small world for the Open311 tests: a district with grid boundaries, a 3-level category tree, incidents; and
format-neutral parsing of answers (JSON, or XML through xml.etree via defusedxml)."""

import datetime
import itertools
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from defusedxml import ElementTree
from django.utils import timezone

from grids.models import Assignment, Category, Incident, Region
from tests.factories import DepartmentFactory, make_tree

BASE = "/open311/v2"
KEY = "k-9f2c7e0b5a14d3c8e6f1a2b3c4d5e6f7"
CLIENT_NAME = "test-partner-app"
FORMATS = ["json", "xml"]
_codes = itertools.count(1)


def square(x0, y0, x1, y1) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


# Points (lat, long) used throughout.
IN_GRID_0 = (39.905, 116.305)
IN_GRID_1 = (39.905, 116.315)
IN_SCHOOL = (39.905, 116.326)      # inside grid 3 (small dedicated grid) which lies inside grid 2
IN_GRID_2_ONLY = (39.905, 116.335)
IN_RETIRED = (39.955, 116.305)     # only a retired grid covers this point
OUTSIDE = (31.23, 121.47)          # Shanghai: no grid here


@dataclass
class World:
    tree: object
    department: object
    streetlight: Category       # event leaf, department-level, with opening conditions
    manhole: Category           # event leaf
    hydrant: Category           # component leaf
    old: Category               # inactive leaf
    hidden: Category            # active leaf under an inactive root
    roads: Category             # middle level (not a service)

    @property
    def grids(self):
        return self.tree.grids


def make_world() -> World:
    tree = make_tree()
    g = tree.grids
    Region.objects.filter(pk=g[0].pk).update(boundary=square(116.30, 39.90, 116.31, 39.91))
    Region.objects.filter(pk=g[1].pk).update(boundary=square(116.31, 39.90, 116.32, 39.91))
    Region.objects.filter(pk=g[2].pk).update(boundary=square(116.32, 39.90, 116.34, 39.91))
    Region.objects.filter(pk=g[3].pk).update(boundary=square(116.325, 39.904, 116.327, 39.906), grid_kind="dedicated")
    Region.objects.filter(pk=g[4].pk).update(boundary=square(116.30, 39.95, 116.31, 39.96),
                                             valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2021, 1, 1))
    tree.refresh()
    department = DepartmentFactory(district=tree.district, name="区城市管理委员会")

    def root(code, name, tree_kind="event", **kw):
        return Category.objects.add_root(create_kwargs=dict(tree=tree_kind, code=code, name=name, **kw))

    def child(parent, code, name, **kw):
        parent.refresh_from_db()
        kw.setdefault("tree", parent.tree)
        return Category.objects.add_child(parent, create_kwargs=dict(code=code, name=name, **kw))

    city = root("01", "市容环境")
    roads = child(city, "01001", "道路设施")
    streetlight = child(roads, "01001001", "路灯不亮", keywords="路灯，照明、灯 坏", handling_level="department",
                        department=department, opening_conditions="路灯连续两晚以上不亮。", handle_hours=72)
    manhole = child(roads, "01001002", "井盖缺失", keywords="井盖")
    old = child(roads, "01001003", "旧分类", is_active=False)
    greenery = child(roads, "01001004", "树木倒伏")             # reportable: its only sub-category is inactive
    child(greenery, "01001004001", "已停用细目", is_active=False)
    child(city, "01002", "其他")                                 # a childless 小类 is not a 细类: not a service
    security = root("02", "社会治安", is_active=False)
    hidden = child(child(security, "02001", "治安隐患"), "02001001", "可疑人员")
    parts = root("90", "公用设施部件", tree_kind="component")
    hydrant = child(child(parts, "90001", "消防设施"), "90001001", "消防栓损坏")
    for node in (streetlight, manhole, hydrant, old, hidden, roads):
        node.refresh_from_db()
    return World(tree=tree, department=department, streetlight=streetlight, manhole=manhole, hydrant=hydrant,
                 old=old, hidden=hidden, roads=roads)


def make_incident(world: World, *, category=None, grid=None, status=Incident.Status.REGISTERED, created_at=None,
                  lead=None, **fields) -> Incident:
    """An incident straight in the database (the GET side does not depend on the lifecycle services)."""
    n = next(_codes)
    values = dict(
        tracking_code=f"T{n:08d}", channel="web", request_type="help", title=f"事件{n}",
        description="小区门口路灯坏了", grid=grid or world.grids[0], category=category or world.streetlight,
        address="幸福路1号", latitude="39.905000", longitude="116.305000", reporter_name="王小明",
        reporter_phone="13912345678", status=status,
    )
    values.update(fields)
    incident = Incident.objects.create(**values)
    if created_at is not None:
        Incident.objects.filter(pk=incident.pk).update(created_at=created_at)
    if lead is not None:
        unit = {"department": lead} if lead.__class__.__name__ == "Department" else {"region": lead}
        Assignment.objects.create(incident=incident, role=Assignment.Role.LEAD, level="department", **unit)
    incident.refresh_from_db()
    return incident


def days_ago(n: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


# --- answers ---------------------------------------------------------------------------------------

def xml_root(content: bytes):
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), content[:60]
    return ElementTree.fromstring(content)


def element_to_python(element):
    """<a><b>1</b><c><d>x</d><d>y</d></c></a> -> {"b": "1", "c": ["x", "y"]} (a list when children repeat or the
    element is a known list container)."""
    children = list(element)
    if not children:
        return element.text or ""
    names = [child.tag for child in children]
    if element.tag in ("services", "service_requests", "errors", "endpoints", "formats", "attributes", "values") \
            or len(set(names)) < len(names):
        return [element_to_python(child) for child in children]
    return {child.tag: element_to_python(child) for child in children}


def body(response, fmt: str):
    """The answer as Python data, whatever the format (XML scalars are strings)."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = xml_root(response.content)
    if root.tag in ("services", "service_requests", "errors", "endpoints", "formats", "attributes", "values"):
        return [element_to_python(child) for child in root]
    return element_to_python(root)


def errors_of(response, fmt: str) -> list[dict]:
    if fmt == "xml":
        root = xml_root(response.content)
        assert root.tag == "errors"
        assert all(child.tag == "error" for child in root)
        assert all([c.tag for c in child] == ["code", "description"] for child in root)
    data = body(response, fmt)
    assert isinstance(data, list) and data
    return [{"code": int(e["code"]), "description": e["description"]} for e in data]


def post_form(client, fmt: str, **params):
    """POST as the spec says: application/x-www-form-urlencoded; charset=utf-8."""
    params.setdefault("api_key", KEY)
    data = urlencode({k: v for k, v in params.items() if v is not None})
    return client.post(f"{BASE}/requests.{fmt}", data, content_type="application/x-www-form-urlencoded; charset=utf-8")
