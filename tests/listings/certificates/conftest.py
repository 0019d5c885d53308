"""Fixtures of the certificate tests: small certificate lists for the test district, and one account per role.

The tree (tests.factories.make_tree): district 110101 → streets[0] (communities[0], [1]) and streets[1]
(communities[2], [3]); two grids per community. `community` is communities[0]; `other_community` is communities[2],
in the other street."""

import datetime
import itertools
from types import SimpleNamespace

import pytest

from governance.models import Role
from listings.models import ListItem, ListKind, ListPurpose
from tests.factories import DepartmentFactory, make_id_number, make_user

_codes = itertools.count(1)
LONG_AGO = datetime.date(2020, 1, 1)


def make_kind(district, purpose, *, code=None, name=None, position=0) -> ListKind:
    code = code or f"{purpose[:12]}-{next(_codes)}"
    return ListKind.objects.create(district=district, code=code, name=name or f"{code}清单", purpose=purpose,
                                   position=position)


def make_item(kind, name, *, code=None, valid_from=LONG_AGO, **kwargs) -> ListItem:
    return ListItem.objects.create(kind=kind, code=code or f"{next(_codes):03d}", name=name, valid_from=valid_from,
                                   **kwargs)


@pytest.fixture
def lists(tree):
    """Certificate lists of the test district, with items in and out of force, and another district's list."""
    district = tree.district
    certificates = make_kind(district, ListPurpose.CERTIFICATE, code="cert", name="出具证明事项清单")
    forbidden = make_kind(district, ListPurpose.CERTIFICATE_FORBIDDEN, code="cert-no", name="不得出具的证明事项清单",
                          position=1)
    assisting = make_kind(district, ListPurpose.ASSISTING, code="assist", name="依法协助政府工作事项清单", position=2)
    from tests.factories import make_tree

    elsewhere = make_tree(prefix="110102")
    foreign = make_kind(elsewhere.district, ListPurpose.CERTIFICATE, code="cert", name="外区证明清单")
    police = DepartmentFactory(name="区公安分局", district=district)
    return SimpleNamespace(
        residence=make_item(certificates, "居住证明", code="C01", description="证明居民在本社区居住"),
        hardship=make_item(certificates, "家庭经济困难情况证明", code="C02"),
        repealed=make_item(certificates, "已废止的证明", code="C03", status=ListItem.Status.REPEALED),
        expired=make_item(certificates, "已到期的证明", code="C04", valid_to=datetime.date(2021, 12, 31)),
        future=make_item(certificates, "尚未施行的证明", code="C05", valid_from=datetime.date(2099, 1, 1)),
        no_record=make_item(forbidden, "无犯罪记录证明", code="F05", issuing_office="户籍所在地或居住地公安派出所"),
        kinship=make_item(forbidden, "亲属关系证明", code="F01", responsible_department=police),
        assisting=make_item(assisting, "协助开展人口普查", code="A01"),
        foreign=make_item(foreign, "外区居住证明", code="C01"),
        kinds=SimpleNamespace(certificates=certificates, forbidden=forbidden),
        police=police,
        elsewhere=elsewhere,
    )


@pytest.fixture
def community(tree):
    return tree.communities[0]


@pytest.fixture
def other_community(tree):
    return tree.communities[2]


@pytest.fixture
def resident(tree):
    return make_user(Role.RESIDENT, region=tree.grids[0], full_name="王秀兰")


@pytest.fixture
def other_resident(tree):
    return make_user(Role.RESIDENT, region=tree.grids[1], full_name="赵大海")


@pytest.fixture
def staff(community):
    return make_user(Role.COMMUNITY_STAFF, region=community, full_name="刘晓梅")


@pytest.fixture
def other_staff(other_community):
    return make_user(Role.COMMUNITY_STAFF, region=other_community, full_name="陈思远")


@pytest.fixture
def neighbour_staff(tree):
    """Community staff of the other community in the same street."""
    return make_user(Role.COMMUNITY_STAFF, region=tree.communities[1], full_name="周邻")


@pytest.fixture
def street(tree):
    return make_user(Role.STREET_STAFF, region=tree.streets[0], full_name="赵志刚")


@pytest.fixture
def other_street(tree):
    return make_user(Role.STREET_STAFF, region=tree.streets[1], full_name="钱外街")


@pytest.fixture
def district_official(tree):
    return make_user(Role.DISTRICT_OFFICIAL, region=tree.district, full_name="刘海涛")


@pytest.fixture
def id_number():
    return make_id_number(birth=datetime.date(1956, 3, 14), male=False)


@pytest.fixture
def ask(lists, resident, id_number):
    """ask(**overrides) -> a resident's online request for a residence certificate."""
    from listings.certificates.services.requests import certificate_request_online

    def run(actor=None, **overrides):
        data = {"item": lists.residence.pk, "purpose": "子女入学", "applicant_name": "王秀兰",
                "id_number": id_number, "phone": "13812345678"}
        data.update(overrides)
        return certificate_request_online(actor=actor or resident, **data)

    return run


@pytest.fixture
def issued(ask, staff):
    """An issued certificate's request."""
    from listings.certificates.services.requests import certificate_issue

    request = ask()
    return certificate_issue(actor=staff, request_id=request.pk, content="王秀兰系我社区居民，现居住于东湖小区3号楼。")
