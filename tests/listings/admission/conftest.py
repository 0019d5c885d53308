"""Fixtures of the admission tests: small list catalogues, a district with its accounts, applications.

`make_kind` / `make_item` build ListKind / ListItem rows; `World` builds one district (tests.factories.make_tree)
with the four lists, a department and an account per role, plus a second district for the denials."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from governance.models import Role
from listings.models import ListItem, ListKind, ListPurpose
from tests.factories import DepartmentFactory, make_tree, make_user

TZ = ZoneInfo("Asia/Shanghai")
# A Monday in a year chinese-calendar knows (no public holiday until 清明, 4 April).
NOW = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=TZ)
TODAY = NOW.date()
LONG_AGO = datetime.date(2020, 1, 1)


def make_kind(district, purpose: str, *, code: str | None = None, name: str | None = None) -> ListKind:
    return ListKind.objects.create(district=district, purpose=purpose, code=code or purpose.replace("_", "-"),
                                   name=name or f"{purpose} list")


def make_item(kind: ListKind, name: str, *, code: str | None = None, keywords: str = "", valid_from=LONG_AGO,
              valid_to=None, status: str = ListItem.Status.ACTIVE, funding_yuan=None, issuing_office: str = "",
              **extra) -> ListItem:
    count = ListItem.objects.filter(kind=kind).count() + 1
    return ListItem.objects.create(kind=kind, name=name, code=code or f"{kind.code}-{count:02d}", keywords=keywords,
                                   valid_from=valid_from, valid_to=valid_to, status=status,
                                   funding_yuan=funding_yuan, issuing_office=issuing_office, **extra)


class World:
    """One district with its lists and accounts."""

    def __init__(self, prefix: str = "110101"):
        self.tree = make_tree(prefix)
        district = self.district = self.tree.district
        self.communities = self.tree.communities
        self.assisting_kind = make_kind(district, ListPurpose.ASSISTING)
        self.negative_kind = make_kind(district, ListPurpose.NEGATIVE)
        self.self_kind = make_kind(district, ListPurpose.SELF_GOVERNANCE)
        self.forbidden_kind = make_kind(district, ListPurpose.CERTIFICATE_FORBIDDEN)
        self.other_kind = make_kind(district, ListPurpose.OTHER)
        self.assisting = make_item(self.assisting_kind, "协助开展垃圾分类宣传", keywords="垃圾分类",
                                   funding_yuan=Decimal("20000"))
        self.assisting_unfunded = make_item(self.assisting_kind, "协助开展人口普查", keywords="人口普查")
        self.negative = make_item(self.negative_kind, "安全生产监管执法", keywords="安全生产 执法检查")
        self.self_item = make_item(self.self_kind, "调解民间纠纷", keywords="人民调解")
        self.forbidden = make_item(self.forbidden_kind, "无犯罪记录", keywords="无犯罪",
                                   issuing_office="公安派出所")
        self.department = DepartmentFactory(district=district, name=f"城管局{prefix}")
        self.handler = make_user(Role.DEPARTMENT_HANDLER, department=self.department, email="handler@example.org")
        self.other_department = DepartmentFactory(district=district, name=f"住建局{prefix}")
        self.other_handler = make_user(Role.DEPARTMENT_HANDLER, department=self.other_department)
        self.official = make_user(Role.DISTRICT_OFFICIAL, region=district, email="official@example.org")
        self.street_staff = make_user(Role.STREET_STAFF, region=self.tree.streets[0])
        self.community_staff = make_user(Role.COMMUNITY_STAFF, region=self.communities[0],
                                         email="community@example.org")
        self.other_community_staff = make_user(Role.COMMUNITY_STAFF, region=self.communities[2])
        self.resident = make_user(Role.RESIDENT, region=self.communities[0])
        self.grid_worker = make_user(Role.GRID_WORKER, region=self.tree.grids[0])

    def data(self, *, today=TODAY, start_in: int = 90, length: int = 365, **overrides) -> dict:
        """Valid application fields for an unlisted task with funding, starting `start_in` days after `today`."""
        start = today + datetime.timedelta(days=start_in)
        data = {
            "title": "背街小巷环境整治巡查", "content": "每周巡查一次背街小巷，发现问题拍照上报。",
            "legal_basis": "《城市市容和环境卫生管理条例》", "cited_item": None, "period_start": start,
            "period_end": start + datetime.timedelta(days=length), "workload_hours_per_month": Decimal("8"),
            "forms_count": 1, "ledgers_count": 1, "inspections_count": 0, "meetings_count": 1,
            "signboards_count": 0, "reporting_cycle": "quarterly", "funding_per_community_yuan": Decimal("12000"),
            "staff_per_community": Decimal("0.5"), "purchase_of_service": "",
        }
        data.update(overrides)
        return data

    def apply(self, *, submit: bool = True, now=NOW, communities=None, actor=None, **overrides):
        from listings.admission.services.applications import application_create

        return application_create(actor=actor or self.handler, communities=communities or self.communities[:2],
                                  submit=submit, now=now, **self.data(today=now.astimezone(TZ).date(), **overrides))

    def admitted(self, *, now=NOW, communities=None, **overrides):
        from listings.admission.services.applications import application_decide

        application = self.apply(now=now, communities=communities, **overrides)
        return application_decide(actor=self.official, application_id=application.pk, decision="admit",
                                  note="符合准入条件", now=now)


@pytest.fixture
def world(db):
    return World()


@pytest.fixture
def other_world(db):
    return World("110102")
