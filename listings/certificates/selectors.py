"""Reads of the certificates app. Every read is scoped: a resident sees their own requests; community, street and
district staff see the requests of their subtree; anyone else sees nothing. Each selector owns the joins its
callers render, so the lists run a fixed number of queries whatever their length."""

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.lib.pii import blind_index, normalize_id_number
from governance.models import Role
from governance.selectors.jurisdiction import jurisdiction_paths, regions_visible_to, scope_q
from grids.models import Region, RegionLevel
from listings.certificates.models import Certificate, CertificateRequest
from listings.certificates.permissions import REGISTER_ROLES
from listings.certificates.serials import normalize_serial
from listings.models import ListItem, ListPurpose, in_force_q

CERTIFICATE_PURPOSES = (ListPurpose.CERTIFICATE, ListPurpose.CERTIFICATE_FORBIDDEN)
COMMUNITY_DEPTH = 3  # district (1) → street (2) → community (3)


# --- regions --------------------------------------------------------------------------------------------------------

def community_of_region(region: Region | None) -> Region | None:
    """The community a region belongs to (itself, or the community above a grid or micro-grid)."""
    if region is None:
        return None
    if region.level == RegionLevel.COMMUNITY:
        return region
    if region.level in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
        return Region.objects.filter(path=region.path[: Region.steplen * COMMUNITY_DEPTH],
                                     level=RegionLevel.COMMUNITY).first()
    return None


def community_for(user) -> Region | None:
    """A resident's or a community worker's own community (from the account's region)."""
    if not getattr(user, "is_authenticated", False) or not user.region_id:
        return None
    return community_of_region(user.region)


def district_of(region: Region) -> Region:
    return Region.objects.get(path=region.path[: Region.steplen])


# --- list items -----------------------------------------------------------------------------------------------------

def certificate_items(*, district: Region, day: datetime.date) -> tuple[list[ListItem], list[ListItem]]:
    """(items that may be issued, items committees must not issue) of the district's lists in force on `day`."""
    items = list(ListItem.objects.filter(in_force_q(day), kind__district=district, kind__purpose__in=CERTIFICATE_PURPOSES)
                 .select_related("kind", "responsible_department")
                 .order_by("kind__position", "kind__code", "position", "code"))
    issuable = [item for item in items if item.kind.purpose == ListPurpose.CERTIFICATE]
    forbidden = [item for item in items if item.kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN]
    return issuable, forbidden


def register_item_choices(*, user) -> QuerySet[ListItem]:
    """Every certificate item (in force or not) of the districts the user's jurisdiction lies in: the register's
    item filter must still find requests for an item that has since been repealed."""
    districts = {path[: Region.steplen] for path in jurisdiction_paths(user)}
    if not districts:
        return ListItem.objects.none()
    return (ListItem.objects.filter(kind__district__path__in=districts, kind__purpose__in=CERTIFICATE_PURPOSES)
            .select_related("kind").order_by("kind__position", "kind__code", "position", "code"))


def register_community_choices(*, user) -> QuerySet[Region]:
    return regions_visible_to(user).filter(level=RegionLevel.COMMUNITY).order_by("path")


# --- requests -------------------------------------------------------------------------------------------------------

def _with_joins(qs: QuerySet[CertificateRequest]) -> QuerySet[CertificateRequest]:
    return qs.select_related("item__kind", "community", "certificate", "certificate__issued_by", "decided_by",
                             "entered_by", "applicant")


def request_list(*, user) -> QuerySet[CertificateRequest]:
    """The requests this user may read, newest first."""
    qs = CertificateRequest.objects.all()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.role == Role.RESIDENT:
        qs = qs.filter(applicant=user)
    elif user.role in REGISTER_ROLES:
        qs = qs.filter(scope_q(user, field="community"))
    else:
        return qs.none()
    return _with_joins(qs).order_by("-created_at", "-id")


def access_request(*, user, request_id) -> CertificateRequest:
    """Fetch and authorise in one step: not yours, outside your jurisdiction, or absent look the same."""
    try:
        return request_list(user=user).get(pk=request_id)
    except (CertificateRequest.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Certificate request not found. 证明申请不存在。")) from None


def request_events(request: CertificateRequest) -> list:
    return list(request.events.select_related("actor").order_by("created_at", "id"))


def register_search(qs: QuerySet[CertificateRequest], data: dict) -> QuerySet[CertificateRequest]:
    """Narrow the register by the search form's cleaned data: `q` (a serial, part of one, a full ID number or a
    name), item, status, channel, community, and the date asked (from/to, inclusive, local dates)."""
    term = (data.get("q") or "").strip()
    if term:
        serial = normalize_serial(term)
        id_term = normalize_id_number(term)
        if serial:
            qs = qs.filter(certificate__serial=serial)
        elif len(id_term) == 18:
            qs = qs.filter(applicant_id_number_hash=blind_index(id_term))
        else:
            qs = qs.filter(Q(applicant_name__icontains=term) | Q(certificate__serial__icontains=term.upper()))
    if data.get("item"):
        qs = qs.filter(item=data["item"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("channel"):
        qs = qs.filter(channel=data["channel"])
    if data.get("community"):
        qs = qs.filter(community__path__startswith=data["community"].path)
    if data.get("date_from"):
        qs = qs.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(created_at__date__lte=data["date_to"])
    return qs


# --- public verification --------------------------------------------------------------------------------------------

def certificate_by_serial(serial: str) -> Certificate | None:
    """The certificate with this serial (already normalised), with what the public page shows; None if unknown."""
    return Certificate.objects.select_related("request__item").filter(serial=serial).first()
