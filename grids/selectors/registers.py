"""Reads of the registers, always scoped to the user's jurisdiction; each selector owns the joins its callers render."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from governance.lib.pii import blind_index, normalize_id_number
from governance.selectors.jurisdiction import scope_q
from grids.models import Building, CareGroup, Household, HousingUnit, Organisation, Resident, SpecialGroupRecord
from grids.permissions import can_view_special_groups


def building_list(*, user) -> QuerySet[Building]:
    return (Building.objects.filter(scope_q(user)).select_related("grid", "community", "head")
            .annotate(unit_count=Count("units", distinct=True)).order_by("community__code", "number"))


def housing_unit_list(*, user) -> QuerySet[HousingUnit]:
    return (HousingUnit.objects.filter(scope_q(user)).select_related("grid", "building")
            .annotate(occupant_count=Count("occupants", distinct=True))
            .order_by("building__community_id", "building__number", "entrance", "room"))


def household_list(*, user) -> QuerySet[Household]:
    return (Household.objects.filter(scope_q(user)).select_related("grid", "head", "housing_unit__building")
            .annotate(member_count=Count("members", distinct=True)).order_by("grid__code", "number"))


def resident_list(*, user) -> QuerySet[Resident]:
    return (Resident.objects.filter(scope_q(user))
            .select_related("grid", "household", "housing_unit__building")
            .prefetch_related(Prefetch("care_groups", queryset=CareGroup.objects.order_by("code")))
            .order_by("grid__code", "name", "id"))


def organisation_list(*, user) -> QuerySet[Organisation]:
    return Organisation.objects.filter(scope_q(user)).select_related("grid", "building").order_by("grid__code", "name", "id")


def special_group_list(*, user) -> QuerySet[SpecialGroupRecord]:
    if not can_view_special_groups(user):
        return SpecialGroupRecord.objects.none()
    return SpecialGroupRecord.objects.filter(scope_q(user)).select_related("resident", "grid").order_by("grid__code", "kind")


def resident_search(qs: QuerySet[Resident], term: str) -> QuerySet[Resident]:
    """Name contains the term, or the term is a whole ID number (matched through the blind index), or a phone
    number's last four digits are not searchable (phones are encrypted) — search by name or full ID."""
    term = (term or "").strip()
    if not term:
        return qs
    id_term = normalize_id_number(term)
    if len(id_term) == 18:
        return qs.filter(id_number_hash=blind_index(id_term))
    return qs.filter(Q(name__icontains=term))


def _access(qs, pk, message):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(message) from None


def access_resident(*, user, resident_id) -> Resident:
    return _access(resident_list(user=user), resident_id, _("Resident not found. 居民不存在或不在您的管辖范围内。"))


def access_building(*, user, building_id) -> Building:
    return _access(building_list(user=user), building_id, _("Building not found. 楼栋不存在或不在您的管辖范围内。"))


def access_housing_unit(*, user, housing_unit_id) -> HousingUnit:
    return _access(housing_unit_list(user=user), housing_unit_id,
                   _("Housing unit not found. 房屋不存在或不在您的管辖范围内。"))


def access_household(*, user, household_id) -> Household:
    return _access(household_list(user=user), household_id, _("Household not found. 户不存在或不在您的管辖范围内。"))


def access_organisation(*, user, organisation_id) -> Organisation:
    return _access(organisation_list(user=user), organisation_id,
                   _("Organisation not found. 组织不存在或不在您的管辖范围内。"))


def resident_special_groups(*, user, resident: Resident) -> list[SpecialGroupRecord]:
    """Special-management records of one resident, only for roles that may see them (else empty)."""
    if not can_view_special_groups(user):
        return []
    return list(SpecialGroupRecord.objects.filter(resident=resident).order_by("kind"))
