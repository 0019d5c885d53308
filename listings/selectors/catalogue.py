"""Reads of the list catalogues: the district of a region or an account, scoped access, the lists in force.

Who reads what
- Staff (grid workers, community, street and district staff, department handlers) read the lists of their own
  district: the district above their region, or their department's district. Anything else → NotFoundOrForbidden
  (a 404 in the pages), the same answer as for an id that does not exist.
- Only district officials of that very district change its lists (`can_edit_lists`).
- Everybody, without an account, reads the lists in force through the public selectors at the end; they carry no
  personal data (no revision authors).

Every list here is built for a flat number of queries: kinds with their items come in two queries
(`lists_in_force`), item pages select their list and department with them.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import REGION_ROLES, Role
from grids.models import Region, RegionLevel
from listings.models import ListItem, ListItemRevision, ListItemStatus, ListKind, ListPurpose, in_force_q

# Status filter of the staff catalogue: "" = in force on the chosen day; "all" = every item, whatever its state.
IN_FORCE = ""
ALL = "all"
STATUS_FILTERS = (IN_FORCE, ALL, *ListItemStatus.values)


def today() -> datetime.date:
    return timezone.localdate()


# --- districts and access ---------------------------------------------------------------------------------------

def district_for_region(region: Region | None) -> Region | None:
    """The district a region belongs to (the region itself for a district). At most one query."""
    if region is None:
        return None
    if region.level == RegionLevel.DISTRICT:
        return region
    steplen = Region.steplen
    ancestors = [region.path[: steplen * depth] for depth in range(1, len(region.path) // steplen)]
    return Region.objects.filter(path__in=ancestors, level=RegionLevel.DISTRICT).order_by("-depth").first()


def district_of_user(user) -> Region | None:
    """The district whose lists this staff account reads; None for residents, administrators and anonymous.
    Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_gongzhi_list_district", False)
    if cached is not False:
        return cached
    district = None
    if user.role in REGION_ROLES and user.region_id:
        district = district_for_region(user.region)
    elif user.role == Role.DEPARTMENT_HANDLER and user.department_id:
        district = Region.objects.filter(departments__pk=user.department_id).first()
    user._gongzhi_list_district = district
    return district


def can_read_catalogue(user) -> bool:
    return district_of_user(user) is not None


def can_edit_lists(user, district: Region | None = None) -> bool:
    """District officials bound to the district itself change its lists. Without `district`: their own district."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.role == Role.DISTRICT_OFFICIAL
            and user.region_id):
        return False
    own = district_of_user(user)
    if own is None or own.pk != user.region_id:  # bound to the district node itself, not below it
        return False
    return district is None or own.pk == district.pk


def _not_found():
    return NotFoundOrForbidden(_("This page does not exist. 页面不存在。"))


def access_district(*, user) -> Region:
    district = district_of_user(user)
    if district is None:
        raise _not_found()
    return district


def access_list_kind(*, user, kind_id) -> ListKind:
    district = access_district(user=user)
    try:
        return ListKind.objects.select_related("district").get(pk=int(kind_id), district=district)
    except (ListKind.DoesNotExist, TypeError, ValueError):
        raise _not_found() from None


def access_list_item(*, user, item_id) -> ListItem:
    district = access_district(user=user)
    try:
        return (ListItem.objects.select_related("kind__district", "responsible_department")
                .get(pk=int(item_id), kind__district=district))
    except (ListItem.DoesNotExist, TypeError, ValueError):
        raise _not_found() from None


# --- lists ----------------------------------------------------------------------------------------------------------

def list_kinds(*, district: Region) -> QuerySet[ListKind]:
    return ListKind.objects.filter(district=district).order_by("position", "code")


def list_kinds_with_counts(*, district: Region, day: datetime.date) -> QuerySet[ListKind]:
    """The district's lists, each with `in_force_count` (items in force on `day`) and `item_count`. One query."""
    return list_kinds(district=district).annotate(
        in_force_count=Count("items", filter=in_force_q(day, prefix="items__"), distinct=True),
        item_count=Count("items", distinct=True),
    )


def items_in_force(*, district: Region, day: datetime.date, purposes=None) -> QuerySet[ListItem]:
    """Items of the district's lists in force on `day`, optionally of some purposes only (ListPurpose values)."""
    queryset = ListItem.objects.filter(in_force_q(day), kind__district=district)
    if purposes is not None:
        queryset = queryset.filter(kind__purpose__in=list(purposes))
    return queryset.select_related("kind", "responsible_department").order_by("kind__position", "kind__code",
                                                                               "position", "code")


def lists_in_force(*, district: Region, day: datetime.date, purposes=None) -> list[ListKind]:
    """The district's lists, each with `items_in_force` (a list, in order) for `day`. Two queries."""
    items = (ListItem.objects.filter(in_force_q(day)).select_related("responsible_department")
             .order_by("position", "code"))
    kinds = list_kinds(district=district)
    if purposes is not None:
        kinds = kinds.filter(purpose__in=list(purposes))
    return list(kinds.prefetch_related(Prefetch("items", queryset=items, to_attr="items_in_force")))


def catalogue_items(*, district: Region, day: datetime.date | None = None, kind: ListKind | None = None,
                    status: str = IN_FORCE, q: str = "") -> QuerySet[ListItem]:
    """The staff catalogue: the district's items, in force on `day` (status "") or by status ("all", or one
    ListItemStatus), of one list, matching a text in code, name, keywords, legal basis or responsible body."""
    queryset = ListItem.objects.filter(kind__district=district)
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if status == IN_FORCE:
        queryset = queryset.filter(in_force_q(day or today()))
    elif status in ListItemStatus.values:
        queryset = queryset.filter(status=status)
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(keywords__icontains=q)
                                   | Q(legal_basis__icontains=q) | Q(responsible_body__icontains=q)
                                   | Q(responsible_department__name__icontains=q))
    return queryset.select_related("kind", "responsible_department").order_by("kind__position", "kind__code",
                                                                               "position", "code", "pk")


# --- history ----------------------------------------------------------------------------------------------------------

def item_history(*, item: ListItem) -> list[ListItemRevision]:
    """The item's revisions, newest first, each with `changed_fields` (verbose names of what differs from the
    previous snapshot; empty for the first) and `status_label`. One query."""
    revisions = list(item.revisions.select_related("actor").order_by("version"))
    previous = None
    labels = {field.name: field.verbose_name for field in ListItem._meta.get_fields() if hasattr(field, "verbose_name")}
    for revision in revisions:
        changed = []
        if previous is not None:
            keys = [k for k in revision.snapshot if not k.endswith("_name")]
            changed = [str(labels.get(key, key)) for key in keys
                       if revision.snapshot.get(key) != previous.snapshot.get(key)]
        revision.changed_fields = changed
        status = revision.snapshot.get("status")
        revision.status_label = ListItemStatus(status).label if status in ListItemStatus.values else status
        previous = revision
    return list(reversed(revisions))


# --- public ---------------------------------------------------------------------------------------------------

def public_places(*, day: datetime.date | None = None) -> list[dict]:
    """The places a resident may pick on the public page, grouped: [{"label", "options": [(pk, label)]}], one group
    per district (the whole district) followed by one per street (its communities). One query."""
    day = day or today()
    current = Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    regions = list(Region.objects.filter(current, level__in=[RegionLevel.DISTRICT, RegionLevel.STREET,
                                                             RegionLevel.COMMUNITY])
                   .order_by("path").only("pk", "path", "depth", "level", "name"))
    steplen = Region.steplen
    by_path = {region.path: region for region in regions}
    groups: list[dict] = []
    districts_group = {"label": _("Whole district"), "options": []}
    street_groups: dict[str, dict] = {}
    for region in regions:
        if region.level == RegionLevel.DISTRICT:
            districts_group["options"].append((region.pk, region.name))
        elif region.level == RegionLevel.COMMUNITY:
            street_path = region.path[: steplen * (region.depth - 1)]
            street = by_path.get(street_path)
            district = by_path.get(region.path[:steplen])
            if street is None or district is None:
                continue
            group = street_groups.get(street_path)
            if group is None:
                group = street_groups[street_path] = {"label": f"{district.name} · {street.name}", "options": []}
                groups.append(group)
            group["options"].append((region.pk, region.name))
    return ([districts_group] if districts_group["options"] else []) + groups


def public_place_get(*, place_id, day: datetime.date | None = None) -> tuple[Region, Region]:
    """(place, its district) for a district or community picked on the public page; NotFoundOrForbidden else."""
    day = day or today()
    try:
        place = (Region.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
                 .get(pk=int(place_id), level__in=[RegionLevel.DISTRICT, RegionLevel.COMMUNITY]))
    except (Region.DoesNotExist, TypeError, ValueError):
        raise _not_found() from None
    district = district_for_region(place)
    if district is None:
        raise _not_found()
    return place, district


def public_item_get(*, item_id) -> ListItem:
    try:
        return ListItem.objects.select_related("kind__district", "responsible_department").get(pk=int(item_id))
    except (ListItem.DoesNotExist, TypeError, ValueError):
        raise _not_found() from None


def purpose_label(purpose: str) -> str:
    return str(ListPurpose(purpose).label) if purpose in ListPurpose.values else purpose
