"""seed_demo_certificates: a few requests in 东湖社区 of 示范区 when the certificate lists exist (issued, revoked,
refused for a forbidden item, waiting), nothing when they do not; a second run changes nothing."""

import io

import pytest

from governance.models import Role
from grids.models import Region
from grids.services.demo import DEMO_COMMUNITY_CODE, DISTRICT_CODE
from listings.certificates.models import Certificate, CertificateRequest, CertificateRequestEvent, RequestStatus
from listings.certificates.services.demo import seed_demo_certificates
from listings.models import ListPurpose
from tests.factories import make_user
from tests.listings.certificates.conftest import make_item, make_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_district():
    """The part of 示范区 the seed needs: the district, 东湖街道/东湖社区 with a grid, and the demo accounts."""
    district = Region.objects.add_root(create_kwargs={"level": "district", "name": "示范区", "code": DISTRICT_CODE})
    street = Region.objects.add_child(district, create_kwargs={"level": "street", "name": "东湖街道",
                                                               "code": DEMO_COMMUNITY_CODE[:9]})
    community = Region.objects.add_child(street, create_kwargs={"level": "community", "name": "东湖社区",
                                                                "code": DEMO_COMMUNITY_CODE})
    Region.objects.add_child(community, create_kwargs={"level": "grid", "name": "东湖社区第一网格", "grid_kind": "basic",
                                                       "code": f"{DEMO_COMMUNITY_CODE}001"})
    make_user(Role.RESIDENT, username="demo_resident", full_name="王秀兰")
    make_user(Role.COMMUNITY_STAFF, username="demo_community", region=community, full_name="李红")
    return district, community


def _snapshot():
    return (list(CertificateRequest.objects.order_by("pk").values_list("pk", "status", "updated_at")),
            list(Certificate.objects.order_by("pk").values_list("pk", "serial", "revoked_at")),
            CertificateRequestEvent.objects.count())


def _run() -> str:
    out = io.StringIO()
    seed_demo_certificates(stdout=out)
    return out.getvalue()


def test_without_lists_nothing_is_created_and_it_says_so(demo_district):
    message = _run()
    assert "no certificate requests created" in message
    assert CertificateRequest.objects.count() == 0


def test_without_the_demo_district_nothing_is_created(db):
    assert "not found" in _run()
    assert CertificateRequest.objects.count() == 0


def test_seed_with_the_demo_lists_is_complete_and_idempotent(demo_district):
    from listings.services.demo import seed_demo_lists

    district, community = demo_district
    seed_demo_lists()
    message = _run()
    assert "5 demo requests created" in message
    requests = {r.applicant_name + "/" + r.status: r for r in CertificateRequest.objects.all()}
    assert set(requests) == {"王秀兰/issued", "张桂芳/issued", "李建国/revoked", "王秀兰/refused", "赵德胜/submitted"}
    assert all(r.community == community for r in requests.values())
    refused = requests["王秀兰/refused"]
    assert refused.forbidden and refused.item.name == "无犯罪记录证明" and "派出所" in refused.other_office
    assert requests["王秀兰/issued"].channel == "online"
    assert Certificate.objects.filter(revoked_at__isnull=False).get().request == requests["李建国/revoked"]
    # Certificates are issued only from the certificate list, and demo items are marked as samples.
    for certificate in Certificate.objects.select_related("request__item__kind"):
        assert certificate.request.item.kind.purpose == ListPurpose.CERTIFICATE
    # demo_resident now belongs to 东湖社区 and sees the online ones.
    resident = requests["王秀兰/issued"].applicant
    assert resident.region == community
    assert CertificateRequest.objects.filter(applicant=resident).count() == 2

    before = _snapshot()
    assert "0 demo requests created" in _run()
    assert _snapshot() == before


def test_seed_with_own_lists_picks_items_by_name_or_position(demo_district):
    district, community = demo_district
    certificates = make_kind(district, ListPurpose.CERTIFICATE, code="cert")
    forbidden = make_kind(district, ListPurpose.CERTIFICATE_FORBIDDEN, code="cert-no")
    first = make_item(certificates, "居住证明", position=1)
    second = make_item(certificates, "困难证明", position=2)
    make_item(forbidden, "亲属关系证明", issuing_office="派出所", position=1)
    _run()
    counts = {item.name: CertificateRequest.objects.filter(item=item).count() for item in (first, second)}
    assert counts == {"居住证明": 3, "困难证明": 1}
    assert CertificateRequest.objects.filter(status=RequestStatus.REFUSED, item__name="亲属关系证明").count() == 1


def test_a_resident_with_a_region_is_left_alone(demo_district):
    district, community = demo_district
    from governance.models import User

    elsewhere = Region.objects.add_child(Region.objects.get(code=DEMO_COMMUNITY_CODE[:9]), create_kwargs={
        "level": "community", "name": "槐树岭社区", "code": f"{DEMO_COMMUNITY_CODE[:9]}002"})
    User.objects.filter(username="demo_resident").update(region=elsewhere)
    certificates = make_kind(district, ListPurpose.CERTIFICATE, code="cert")
    forbidden = make_kind(district, ListPurpose.CERTIFICATE_FORBIDDEN, code="cert-no")
    make_item(certificates, "居住证明")
    make_item(forbidden, "亲属关系证明", issuing_office="派出所")
    _run()
    assert User.objects.get(username="demo_resident").region == elsewhere
    # demo_community could not handle requests to another community: only the office ones are made.
    assert not CertificateRequest.objects.filter(channel="online").exists()
    assert set(CertificateRequest.objects.values_list("community__name", flat=True)) == {"东湖社区"}
