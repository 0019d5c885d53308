"""Demo certificate requests in 示范区 (run after `seed_demo` and `listings.services.demo.seed_demo_lists`).

A handful of requests in 东湖社区, made through the same services as the pages: issued ones (one online by
demo_resident, one at the office), one issued and then revoked, one refused at once because the item is on the list
of certificates committees must not issue (the notice names the office), and one waiting to be checked.

- Deterministic: the plan below is fixed; the items are picked by their position in the district's lists.
- Idempotent: each planned request is keyed on (community, item, applicant's name, purpose); a second run finds
  them all and writes nothing. (Serial numbers keep their random part: it is what makes them safe to publish.)
- Needs the certificate lists: without them it creates nothing and says so.
- demo_resident's account is linked to 东湖社区 if it has no region yet (a resident asks online for their
  community); an account that already has a region is left alone, and if that region is not in 东湖社区 the
  online requests are left out (demo_community could not handle them).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from governance.lib.pii import id_check_char
from governance.lib.request_context import Actor, reset_actor, set_actor
from governance.models import Role, User
from grids.models import Region, RegionLevel
from grids.services.demo import DEMO_COMMUNITY_CODE, DISTRICT_CODE, SEED_ACTOR
from listings.certificates.models import CertificateRequest
from listings.certificates.selectors import certificate_items, community_for
from listings.certificates.services import requests as services

RESIDENT_USERNAME = "demo_resident"
STAFF_USERNAME = "demo_community"


def _id_number(birth: str, serial: str) -> str:
    """A synthetic, checksum-valid ID number under the demo district's own code (see grids.services.demo)."""
    first17 = f"{DISTRICT_CODE}{birth}{serial}"
    return first17 + id_check_char(first17)


# (key, channel, applicant name, ID number, phone, which item, purpose, outcome, certified fact, revocation reason)
# "which item": ("issuable", word, n) = the certificate whose name or keywords contain `word`, else the n-th one the
# community may issue; ("forbidden", word, 0) = the forbidden certificate named with `word`, else the first.
PLAN = (
    ("online-issued", "online", "王秀兰", _id_number("19560314", "022"), "13810010001", ("issuable", "志愿服务", 0),
     "申请志愿者星级评定", "issued",
     "王秀兰同志自2023年1月至2025年6月参加东湖社区志愿服务站组织的志愿服务，累计服务时长126小时。", ""),
    ("walkin-issued", "walk_in", "张桂芳", _id_number("19620708", "044"), "", ("issuable", "临时救助", 1),
     "申请临时救助", "issued",
     "张桂芳系我社区居民，现居住于湖光花园7号楼1单元302室，因家人突发重病，家庭生活暂时困难，情况属实。", ""),
    ("walkin-revoked", "walk_in", "李建国", _id_number("19781122", "013"), "13810010003", ("issuable", "居住", 0),
     "申领居住证", "revoked", "李建国自2024年3月起在我社区东湖西里12号楼3单元601室实际居住。",
     "申请人提供的住址有误，已按核实后的住址重新开具。"),
    ("online-forbidden", "online", "王秀兰", "", "", ("forbidden", "无犯罪记录", 0),
     "单位入职需要", "refused", "", ""),
    ("walkin-waiting", "walk_in", "赵德胜", _id_number("19690215", "031"), "13810010005", ("issuable", "居住", 0),
     "申领居住证", "submitted", "", ""),
)


def _write(stdout, line: str) -> None:
    if stdout is not None:
        stdout.write(line)


def _pick(issuable, forbidden, which):
    kind, word, index = which
    items = issuable if kind == "issuable" else forbidden
    if not items:
        return None
    named = [item for item in items if word in item.name or word in item.keywords]
    return named[0] if named else items[index % len(items)]


def seed_demo_certificates(*, stdout=None) -> None:
    district = Region.objects.filter(code=DISTRICT_CODE, level=RegionLevel.DISTRICT, valid_to__isnull=True).first()
    community = Region.objects.filter(code=DEMO_COMMUNITY_CODE, level=RegionLevel.COMMUNITY,
                                      valid_to__isnull=True).first()
    if district is None or community is None:
        _write(stdout, f"Certificates: demo district {DISTRICT_CODE} not found; run seed_demo first. "
                       "No certificate requests created.")
        return
    issuable, forbidden = certificate_items(district=district, day=timezone.localdate())
    if not issuable or not forbidden:
        _write(stdout, "Certificates: the demo district has no certificate lists in force (seed_demo_lists "
                       "creates them); no certificate requests created.")
        return
    users = {u.username: u for u in User.objects.filter(username__in=[RESIDENT_USERNAME, STAFF_USERNAME])}
    resident, staff = users.get(RESIDENT_USERNAME), users.get(STAFF_USERNAME)
    if staff is None or staff.role != Role.COMMUNITY_STAFF or staff.region_id != community.pk:
        _write(stdout, f"Certificates: account {STAFF_USERNAME} of {community.name} not found; "
                       "no certificate requests created.")
        return
    token = set_actor(Actor(username=SEED_ACTOR))
    created = 0
    try:
        with transaction.atomic():
            if resident is not None and resident.role == Role.RESIDENT and resident.region_id is None:
                resident.region = community
                resident.save(update_fields=["region"])
            for spec in PLAN:
                created += _seed_one(spec, community=community, resident=resident, staff=staff,
                                     issuable=issuable, forbidden=forbidden)
    finally:
        reset_actor(token)
    total = CertificateRequest.objects.filter(community=community).count()
    _write(stdout, f"Certificates: {created} demo requests created in {community.name} ({total} there in all).")


def _seed_one(spec, *, community, resident, staff, issuable, forbidden) -> int:
    key, channel, name, id_number, phone, which, purpose, outcome, content, reason = spec
    item = _pick(issuable, forbidden, which)
    if item is None:
        return 0
    if CertificateRequest.objects.filter(community=community, item=item, applicant_name=name, purpose=purpose).exists():
        return 0
    if channel == "online":
        if resident is None or resident.role != Role.RESIDENT or community_for(resident) != community:
            return 0
        request = services.certificate_request_online(actor=resident, item=item.pk, purpose=purpose,
                                                      applicant_name=name, id_number=id_number, phone=phone)
    else:
        request = services.certificate_request_walk_in(actor=staff, item=item.pk, purpose=purpose, applicant_name=name,
                                                       id_number=id_number, phone=phone)
    if outcome in ("issued", "revoked"):
        services.certificate_issue(actor=staff, request_id=request.pk, content=content)
    if outcome == "revoked":
        services.certificate_revoke(actor=staff, request_id=request.pk, reason=reason)
    return 1
