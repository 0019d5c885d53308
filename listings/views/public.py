"""The public lists page (no login): the lists in force today for the community (or district) a resident picks,
and a page per item. Lists are public information; nothing here names a person (no revision authors)."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from governance.lib.exceptions import NotFoundOrForbidden
from governance.models import Role
from grids.models import Region, RegionLevel
from listings.forms import PublicPlaceForm
from listings.models import ListPurpose
from listings.selectors.catalogue import lists_in_force, public_item_get, public_place_get, public_places

PAGE_SIZE = 20


def _own_community(user) -> Region | None:
    """A signed-in resident starts at their own community (their region is the community or a grid in it)."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.RESIDENT or not user.region_id:
        return None
    region = user.region
    steplen = Region.steplen
    paths = [region.path[: steplen * depth] for depth in range(1, len(region.path) // steplen + 1)]
    return Region.objects.filter(path__in=paths, level=RegionLevel.COMMUNITY).first()


@require_GET
def public(request):
    today = timezone.localdate()
    places = public_places(day=today)
    data = request.GET if request.GET.get("place") else None
    if data is None:
        own = _own_community(request.user)
        if own is not None:
            data = {"place": str(own.pk)}
    form = PublicPlaceForm(data, places=places)
    place = district = selected = page = None
    kinds = []
    status = 200
    if data is not None:
        if form.is_valid():
            try:
                place, district = public_place_get(place_id=form.cleaned_data["place"], day=today)
            except NotFoundOrForbidden:
                form.add_error("place", form.fields["place"].error_messages["invalid_choice"] % {
                    "value": form.cleaned_data["place"]})
                status = 400
        else:
            status = 400
    if district is not None:
        kinds = lists_in_force(district=district, day=today)
        wanted = request.GET.get("kind", "")
        selected = next((kind for kind in kinds if str(kind.pk) == wanted), None)
        if selected is None:
            selected = next((kind for kind in kinds if kind.items_in_force), kinds[0] if kinds else None)
        if selected is not None:
            page = Paginator(selected.items_in_force, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "listings/public.html", {
        "form": form, "place": place, "district": district, "kinds": kinds, "selected": selected, "page": page,
        "today": today, "forbidden_certificate": ListPurpose.CERTIFICATE_FORBIDDEN,
    }, status=status)


@require_GET
def public_item(request, pk):
    try:
        item = public_item_get(item_id=pk)
    except NotFoundOrForbidden:
        raise Http404 from None
    today = timezone.localdate()
    return render(request, "listings/public_item.html", {
        "item": item, "kind": item.kind, "district": item.kind.district, "today": today,
        "in_force_today": item.in_force_on(today),
        "is_forbidden_certificate": item.kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN,
    })
