"""The register pages (人、房、户、楼、组织): lists with filters and paging, detail pages with masked personal data
and audited reveals, and create/edit forms whose data go to grids.services.registers.

Reads come only from the scoped selectors (outside the jurisdiction → 404); edits need can_edit_registers
(otherwise 403), and the services check everything again."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.lib.exceptions import InvalidInput
from governance.lib.pii import mask_id_number, mask_phone
from grids.filters import (
    BuildingFilterSet,
    HouseholdFilterSet,
    HousingUnitFilterSet,
    OrganisationFilterSet,
    ResidentFilterSet,
)
from grids.forms import BuildingForm, HouseholdForm, HousingUnitForm, OrganisationForm, ResidentForm
from grids.permissions import can_edit_registers, can_view_special_groups
from grids.selectors.registers import (
    access_building,
    access_household,
    access_housing_unit,
    access_organisation,
    access_resident,
    building_list,
    household_list,
    housing_unit_list,
    organisation_list,
    resident_list,
    resident_special_groups,
)
from grids.services import registers as services
from grids.services.reveal import pii_reveal
from grids.views.common import (
    indent_region_labels,
    initial_from_query,
    paginate,
    pii_rows,
    register_page,
    require,
    service_form_page,
)

MASKS = {"id_number": mask_id_number, "phone": mask_phone, "emergency_phone": mask_phone, "contact_phone": mask_phone}
RESIDENT_SECRETS = ("id_number", "phone", "emergency_phone")
ORGANISATION_SECRETS = ("contact_phone",)


# --- shared --------------------------------------------------------------------------------------------------

def _list_page(request, *, register: str, title: str, queryset, filterset_class, template: str, create_url: str):
    filterset = filterset_class(request.GET or None, queryset=queryset, user=request.user)
    indent_region_labels(filterset.form)
    return render(request, template, {
        "title": title,
        "register": register,
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "can_edit": can_edit_registers(request.user),
        "create_url": create_url,
    })


def _form_page(request, *, form, save, title: str, back_url: str, detail: str):
    return service_form_page(
        request, form=form, save=save, template="grids/register_form.html",
        context={"title": title, "back_url": back_url},
        success_url=lambda obj: reverse(detail, args=[obj.pk]))


def _create(request, *, form_class, service, title: str, list_name: str, detail: str, preselect=("grid",)):
    require(can_edit_registers, request.user)
    form = form_class(request.POST or None, user=request.user,
                      initial=initial_from_query(request, preselect) if request.method == "GET" else None)
    return _form_page(request, form=form, save=lambda data: service(actor=request.user, **data), title=title,
                      back_url=reverse(list_name), detail=detail)


def _edit(request, obj, *, form_class, service, instance_kwarg: str, title: str, detail: str):
    require(can_edit_registers, request.user)
    form = form_class(request.POST or None, user=request.user, instance=obj)
    return _form_page(request, form=form, save=lambda data: service(actor=request.user, **{instance_kwarg: obj}, **data),
                      title=title, back_url=reverse(detail, args=[obj.pk]), detail=detail)


def _visible(queryset, obj) -> bool:
    """Whether a related row (e.g. a resident's household, possibly in a neighbouring grid) may be linked."""
    return obj is not None and queryset.filter(pk=obj.pk).exists()


def _reveal(request, obj):
    """POST field=<name>: the plaintext through pii_reveal (one audit row), or an error message."""
    field = request.POST.get("field", "")
    try:
        return {field: pii_reveal(actor=request.user, obj=obj, field=field)}, None
    except InvalidInput as exc:
        return None, exc.message


# --- residents -----------------------------------------------------------------------------------------------

@register_page
@require_GET
def resident_list_view(request):
    return _list_page(request, register="residents", title=_("Residents"), queryset=resident_list(user=request.user),
                      filterset_class=ResidentFilterSet, template="grids/residents/list.html",
                      create_url=reverse("grids:resident_create"))


def _resident_page(request, resident, *, revealed=None, reveal_error=None, status=200):
    user = request.user
    return render(request, "grids/residents/detail.html", {
        "resident": resident,
        "pii": pii_rows(resident, RESIDENT_SECRETS, MASKS, revealed),
        "reveal_url": reverse("grids:resident_reveal", args=[resident.pk]),
        "reveal_error": reveal_error,
        "household_visible": _visible(household_list(user=user), resident.household),
        "housing_visible": _visible(housing_unit_list(user=user), resident.housing_unit),
        "can_view_special": can_view_special_groups(user),
        "special_groups": resident_special_groups(user=user, resident=resident),
        "can_edit": can_edit_registers(user),
    }, status=status)


@register_page
@require_GET
def resident_detail(request, pk):
    return _resident_page(request, access_resident(user=request.user, resident_id=pk))


@register_page
@require_POST
def resident_reveal(request, pk):
    resident = access_resident(user=request.user, resident_id=pk)
    revealed, error = _reveal(request, resident)
    return _resident_page(request, resident, revealed=revealed, reveal_error=error, status=400 if error else 200)


@register_page
@require_http_methods(["GET", "POST"])
def resident_create(request):
    return _create(request, form_class=ResidentForm, service=services.resident_create, title=_("New resident"),
                   list_name="grids:resident_list", detail="grids:resident_detail",
                   preselect=("grid", "household", "housing_unit"))


@register_page
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    resident = access_resident(user=request.user, resident_id=pk)
    return _edit(request, resident, form_class=ResidentForm, service=services.resident_update, instance_kwarg="resident",
                 title=_("Edit resident %(name)s") % {"name": resident.name}, detail="grids:resident_detail")


# --- households ----------------------------------------------------------------------------------------------

@register_page
@require_GET
def household_list_view(request):
    return _list_page(request, register="households", title=_("Households"),
                      queryset=household_list(user=request.user), filterset_class=HouseholdFilterSet,
                      template="grids/households/list.html", create_url=reverse("grids:household_create"))


@register_page
@require_GET
def household_detail(request, pk):
    user = request.user
    household = access_household(user=user, household_id=pk)
    return render(request, "grids/households/detail.html", {
        "household": household,
        "members": list(resident_list(user=user).filter(household=household)),
        "housing_visible": _visible(housing_unit_list(user=user), household.housing_unit),
        "can_edit": can_edit_registers(user),
    })


@register_page
@require_http_methods(["GET", "POST"])
def household_create(request):
    return _create(request, form_class=HouseholdForm, service=services.household_create, title=_("New household"),
                   list_name="grids:household_list", detail="grids:household_detail", preselect=("grid", "housing_unit"))


@register_page
@require_http_methods(["GET", "POST"])
def household_edit(request, pk):
    household = access_household(user=request.user, household_id=pk)
    return _edit(request, household, form_class=HouseholdForm, service=services.household_update,
                 instance_kwarg="household", title=_("Edit household %(number)s") % {"number": household.number},
                 detail="grids:household_detail")


# --- buildings -----------------------------------------------------------------------------------------------

@register_page
@require_GET
def building_list_view(request):
    return _list_page(request, register="buildings", title=_("Buildings"), queryset=building_list(user=request.user),
                      filterset_class=BuildingFilterSet, template="grids/buildings/list.html",
                      create_url=reverse("grids:building_create"))


@register_page
@require_GET
def building_detail(request, pk):
    user = request.user
    building = access_building(user=user, building_id=pk)
    return render(request, "grids/buildings/detail.html", {
        "building": building,
        "units": list(housing_unit_list(user=user).filter(building=building)),
        "organisations": list(organisation_list(user=user).filter(building=building)),
        "head_visible": _visible(resident_list(user=user), building.head),
        "can_edit": can_edit_registers(user),
    })


@register_page
@require_http_methods(["GET", "POST"])
def building_create(request):
    return _create(request, form_class=BuildingForm, service=services.building_create, title=_("New building"),
                   list_name="grids:building_list", detail="grids:building_detail")


@register_page
@require_http_methods(["GET", "POST"])
def building_edit(request, pk):
    building = access_building(user=request.user, building_id=pk)
    return _edit(request, building, form_class=BuildingForm, service=services.building_update, instance_kwarg="building",
                 title=_("Edit building %(name)s") % {"name": str(building)}, detail="grids:building_detail")


# --- housing -------------------------------------------------------------------------------------------------

@register_page
@require_GET
def housing_list_view(request):
    return _list_page(request, register="housing", title=_("Housing"), queryset=housing_unit_list(user=request.user),
                      filterset_class=HousingUnitFilterSet, template="grids/housing/list.html",
                      create_url=reverse("grids:housing_create"))


@register_page
@require_GET
def housing_detail(request, pk):
    user = request.user
    unit = access_housing_unit(user=user, housing_unit_id=pk)
    return render(request, "grids/housing/detail.html", {
        "unit": unit,
        "occupants": list(resident_list(user=user).filter(housing_unit=unit)),
        "households": list(household_list(user=user).filter(housing_unit=unit)),
        "can_edit": can_edit_registers(user),
    })


@register_page
@require_http_methods(["GET", "POST"])
def housing_create(request):
    return _create(request, form_class=HousingUnitForm, service=services.housing_unit_create,
                   title=_("New housing unit"), list_name="grids:housing_list", detail="grids:housing_detail",
                   preselect=("building",))


@register_page
@require_http_methods(["GET", "POST"])
def housing_edit(request, pk):
    unit = access_housing_unit(user=request.user, housing_unit_id=pk)
    return _edit(request, unit, form_class=HousingUnitForm, service=services.housing_unit_update,
                 instance_kwarg="housing_unit", title=_("Edit housing unit %(name)s") % {"name": str(unit)},
                 detail="grids:housing_detail")


# --- organisations -------------------------------------------------------------------------------------------

@register_page
@require_GET
def organisation_list_view(request):
    return _list_page(request, register="organisations", title=_("Organisations"),
                      queryset=organisation_list(user=request.user), filterset_class=OrganisationFilterSet,
                      template="grids/organisations/list.html", create_url=reverse("grids:organisation_create"))


def _organisation_page(request, organisation, *, revealed=None, reveal_error=None, status=200):
    user = request.user
    return render(request, "grids/organisations/detail.html", {
        "organisation": organisation,
        "pii": pii_rows(organisation, ORGANISATION_SECRETS, MASKS, revealed),
        "reveal_url": reverse("grids:organisation_reveal", args=[organisation.pk]),
        "reveal_error": reveal_error,
        "building_visible": _visible(building_list(user=user), organisation.building),
        "can_edit": can_edit_registers(user),
    }, status=status)


@register_page
@require_GET
def organisation_detail(request, pk):
    return _organisation_page(request, access_organisation(user=request.user, organisation_id=pk))


@register_page
@require_POST
def organisation_reveal(request, pk):
    organisation = access_organisation(user=request.user, organisation_id=pk)
    revealed, error = _reveal(request, organisation)
    return _organisation_page(request, organisation, revealed=revealed, reveal_error=error,
                              status=400 if error else 200)


@register_page
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    return _create(request, form_class=OrganisationForm, service=services.organisation_create,
                   title=_("New organisation"), list_name="grids:organisation_list",
                   detail="grids:organisation_detail", preselect=("grid", "building"))


@register_page
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    organisation = access_organisation(user=request.user, organisation_id=pk)
    return _edit(request, organisation, form_class=OrganisationForm, service=services.organisation_update,
                 instance_kwarg="organisation", title=_("Edit organisation %(name)s") % {"name": organisation.name},
                 detail="grids:organisation_detail")
