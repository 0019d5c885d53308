"""The grids API: the region tree and the five registers (人、地、物、组织).

Reads are generic views over the scoped selectors (django-filter and cursor pagination work out of the box);
writes validate the input shape here and call one service in grids.services.registers, which re-checks the role
and the jurisdiction. An object outside the user's jurisdiction answers 404, like one that does not exist."""

from django.db.models import OuterRef, Prefetch, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.lib.api import ERROR_RESPONSES, READ_ERROR_RESPONSES, AuditActorMixin
from governance.lib.exceptions import NotFoundOrForbidden
from grids.api import serializers as s
from grids.api.filters import HousingUnitApiFilterSet, RegionFilterSet
from grids.api.permissions import RegisterAccess
from grids.filters import (
    BuildingFilterSet,
    HouseholdFilterSet,
    OrganisationFilterSet,
    ResidentFilterSet,
)
from grids.models import Region, SpecialGroupRecord
from grids.permissions import can_view_special_groups
from grids.selectors.regions import access_region, region_list, region_tree
from grids.selectors.registers import (
    building_list,
    household_list,
    housing_unit_list,
    organisation_list,
    resident_list,
)
from grids.services.registers import (
    building_create,
    building_update,
    household_create,
    household_update,
    housing_unit_create,
    housing_unit_update,
    organisation_create,
    organisation_update,
    resident_create,
    resident_update,
)
from grids.services.reveal import pii_reveal


def fetch_or_404(queryset, pk, message):
    """One row of a scoped queryset; invisible and nonexistent look the same."""
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFoundOrForbidden(message) from None


# --- generic bases ---------------------------------------------------------------------------------


class ScopedListApi(AuditActorMixin, generics.ListAPIView):
    """GET: the scoped list, filtered (`filterset_class`) and cursor-paginated. Subclasses define get_queryset."""

    permission_classes = [RegisterAccess]
    not_found_message = _("Not found. 未找到。")

    def get_object_by_pk(self, pk):
        return fetch_or_404(self.get_queryset(), pk, self.not_found_message)


class ScopedCreateMixin:
    """POST: validate `input_serializer_class`, call `perform_create(actor, data)`, answer 201 with the output."""

    input_serializer_class: type[serializers.Serializer]

    def perform_create(self, *, actor, data):
        raise NotImplementedError

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "POST":  # the browsable API's form too
            return self.input_serializer_class
        return super().get_serializer_class()

    def post(self, request, *args, **kwargs):
        data = self.input_serializer_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        obj = self.perform_create(actor=request.user, data=dict(data.validated_data))
        output = self.serializer_class(self.get_object_by_pk(obj.pk), context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)


class ScopedObjectApi(AuditActorMixin, generics.GenericAPIView):
    """One object of the scoped queryset (404 when outside the jurisdiction)."""

    permission_classes = [RegisterAccess]
    not_found_message = _("Not found. 未找到。")

    def get_object(self):
        return fetch_or_404(self.get_queryset(), self.kwargs["pk"], self.not_found_message)


class ScopedDetailApi(ScopedObjectApi):
    def get(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


class ScopedUpdateMixin:
    """PATCH: partial input, `perform_update(actor, obj, data)`, answer with the re-read object."""

    input_serializer_class: type[serializers.Serializer]

    def perform_update(self, *, actor, obj, data):
        raise NotImplementedError

    def get_serializer_class(self):
        if self.request is not None and self.request.method == "PATCH":  # the browsable API's form too
            return self.input_serializer_class
        return super().get_serializer_class()

    def patch(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.input_serializer_class(data=request.data, partial=True, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        self.perform_update(actor=request.user, obj=obj, data=dict(data.validated_data))
        return Response(self.serializer_class(self.get_object(), context=self.get_serializer_context()).data)


class ScopedRevealApi(ScopedObjectApi):
    """POST {"field": ...}: the plaintext of one personal-data field, audited (one `reveal` row per call)."""

    writes = False  # reading, not changing: every role with read access may reveal, and each reveal is audited
    serializer_class = s.RevealOutputSerializer
    input_serializer_class: type[serializers.Serializer]

    def get_serializer_class(self):
        return self.input_serializer_class  # POST is the only method (and the browsable API's form)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        field = data.validated_data["field"]
        value = pii_reveal(actor=request.user, obj=obj, field=field)
        return Response({"field": field, "value": value}, headers={"Cache-Control": "no-store"})


def collection_schema(output, input_serializer=None, *, tag: str):
    views = {"get": extend_schema(tags=[tag], responses={200: output(many=True), **ERROR_RESPONSES})}  # 400: filters
    if input_serializer is not None:
        views["post"] = extend_schema(tags=[tag], request=input_serializer,
                                      responses={201: output, **ERROR_RESPONSES})
    return extend_schema_view(**views)


def detail_schema(output, input_serializer=None, *, tag: str):
    views = {"get": extend_schema(tags=[tag], responses={200: output, **READ_ERROR_RESPONSES})}
    if input_serializer is not None:
        views["patch"] = extend_schema(tags=[tag], request=input_serializer,
                                       responses={200: output, **ERROR_RESPONSES})
    return extend_schema_view(**views)


def reveal_schema(input_serializer, *, tag: str):
    return extend_schema_view(post=extend_schema(
        tags=[tag], request=input_serializer,
        responses={200: s.RevealOutputSerializer, **ERROR_RESPONSES},
        description=_("Unmask one personal-data field. Every call writes one `reveal` row to the audit log."),
    ))


# --- regions ---------------------------------------------------------------------------------------


def with_parent_id(queryset):
    """Annotate `parent_id` (materialised path minus its last step) in the same query."""
    parent = Region.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Region.steplen)).values("pk")[:1]
    return queryset.annotate(parent_id=Subquery(parent))


class RegionQuerysetMixin:
    serializer_class = s.RegionSerializer
    not_found_message = _("Region not found. 区域不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return with_parent_id(region_list(user=self.request.user))


@collection_schema(s.RegionSerializer, tag="regions")
class RegionListApi(RegionQuerysetMixin, ScopedListApi):
    filterset_class = RegionFilterSet


@detail_schema(s.RegionSerializer, tag="regions")
class RegionDetailApi(RegionQuerysetMixin, ScopedDetailApi):
    pass


class RegionTreeApi(AuditActorMixin, APIView):
    permission_classes = [RegisterAccess]

    class QuerySerializer(serializers.Serializer):
        root = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                        help_text=_("Only the subtree under this region."))

    @extend_schema(tags=["regions"], parameters=[QuerySerializer],
                   responses={200: s.RegionTreeNodeSerializer(many=True), **ERROR_RESPONSES},
                   description=_("The visible region tree with cumulative counts (households, residents, workers) "
                                 "and the household-band flag; current versions only."))
    def get(self, request):
        query = self.QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        root = None
        if "root" in query.validated_data:
            root = access_region(user=request.user, region_id=query.validated_data["root"])
        nodes = region_tree(user=request.user, root=root)
        return Response(s.RegionTreeNodeSerializer(nodes, many=True).data)


# --- residents -------------------------------------------------------------------------------------


class ResidentQuerysetMixin:
    serializer_class = s.ResidentSerializer
    not_found_message = _("Resident not found. 居民不存在或不在您的管辖范围内。")

    def show_special_groups(self) -> bool:
        return getattr(self, "swagger_fake_view", False) or can_view_special_groups(self.request.user)

    def get_queryset(self):
        queryset = resident_list(user=self.request.user)
        if self.show_special_groups():
            queryset = queryset.prefetch_related(Prefetch(
                "special_groups", queryset=SpecialGroupRecord.objects.order_by("kind"), to_attr="special_group_records"))
        return queryset

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "show_special_groups": self.show_special_groups()}


@collection_schema(s.ResidentSerializer, s.ResidentInputSerializer, tag="residents")
class ResidentListApi(ResidentQuerysetMixin, ScopedCreateMixin, ScopedListApi):
    filterset_class = ResidentFilterSet
    input_serializer_class = s.ResidentInputSerializer

    def perform_create(self, *, actor, data):
        return resident_create(actor=actor, **data)


@detail_schema(s.ResidentSerializer, s.ResidentInputSerializer, tag="residents")
class ResidentDetailApi(ResidentQuerysetMixin, ScopedUpdateMixin, ScopedDetailApi):
    input_serializer_class = s.ResidentInputSerializer

    def perform_update(self, *, actor, obj, data):
        return resident_update(actor=actor, resident=obj, **data)


@reveal_schema(s.ResidentRevealInputSerializer, tag="residents")
class ResidentRevealApi(ScopedRevealApi):
    serializer_class = s.RevealOutputSerializer
    input_serializer_class = s.ResidentRevealInputSerializer
    not_found_message = ResidentQuerysetMixin.not_found_message

    def get_queryset(self):
        return resident_list(user=self.request.user)


# --- households ------------------------------------------------------------------------------------


class HouseholdQuerysetMixin:
    serializer_class = s.HouseholdSerializer
    not_found_message = _("Household not found. 户不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return household_list(user=self.request.user)


@collection_schema(s.HouseholdSerializer, s.HouseholdInputSerializer, tag="households")
class HouseholdListApi(HouseholdQuerysetMixin, ScopedCreateMixin, ScopedListApi):
    filterset_class = HouseholdFilterSet
    input_serializer_class = s.HouseholdInputSerializer

    def perform_create(self, *, actor, data):
        return household_create(actor=actor, **data)


@detail_schema(s.HouseholdSerializer, s.HouseholdInputSerializer, tag="households")
class HouseholdDetailApi(HouseholdQuerysetMixin, ScopedUpdateMixin, ScopedDetailApi):
    input_serializer_class = s.HouseholdInputSerializer

    def perform_update(self, *, actor, obj, data):
        return household_update(actor=actor, household=obj, **data)


# --- buildings -------------------------------------------------------------------------------------


class BuildingQuerysetMixin:
    serializer_class = s.BuildingSerializer
    not_found_message = _("Building not found. 楼栋不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return building_list(user=self.request.user)


@collection_schema(s.BuildingSerializer, s.BuildingInputSerializer, tag="buildings")
class BuildingListApi(BuildingQuerysetMixin, ScopedCreateMixin, ScopedListApi):
    filterset_class = BuildingFilterSet
    input_serializer_class = s.BuildingInputSerializer

    def perform_create(self, *, actor, data):
        return building_create(actor=actor, **data)


@detail_schema(s.BuildingSerializer, s.BuildingInputSerializer, tag="buildings")
class BuildingDetailApi(BuildingQuerysetMixin, ScopedUpdateMixin, ScopedDetailApi):
    input_serializer_class = s.BuildingInputSerializer

    def perform_update(self, *, actor, obj, data):
        return building_update(actor=actor, building=obj, **data)


# --- housing units ---------------------------------------------------------------------------------


class HousingUnitQuerysetMixin:
    serializer_class = s.HousingUnitSerializer
    not_found_message = _("Housing unit not found. 房屋不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return housing_unit_list(user=self.request.user)


@collection_schema(s.HousingUnitSerializer, s.HousingUnitInputSerializer, tag="housing-units")
class HousingUnitListApi(HousingUnitQuerysetMixin, ScopedCreateMixin, ScopedListApi):
    filterset_class = HousingUnitApiFilterSet
    input_serializer_class = s.HousingUnitInputSerializer

    def perform_create(self, *, actor, data):
        return housing_unit_create(actor=actor, **data)


@detail_schema(s.HousingUnitSerializer, s.HousingUnitInputSerializer, tag="housing-units")
class HousingUnitDetailApi(HousingUnitQuerysetMixin, ScopedUpdateMixin, ScopedDetailApi):
    input_serializer_class = s.HousingUnitInputSerializer

    def perform_update(self, *, actor, obj, data):
        return housing_unit_update(actor=actor, housing_unit=obj, **data)


# --- organisations ---------------------------------------------------------------------------------


class OrganisationQuerysetMixin:
    serializer_class = s.OrganisationSerializer
    not_found_message = _("Organisation not found. 组织不存在或不在您的管辖范围内。")

    def get_queryset(self):
        return organisation_list(user=self.request.user)


@collection_schema(s.OrganisationSerializer, s.OrganisationInputSerializer, tag="organisations")
class OrganisationListApi(OrganisationQuerysetMixin, ScopedCreateMixin, ScopedListApi):
    filterset_class = OrganisationFilterSet
    input_serializer_class = s.OrganisationInputSerializer

    def perform_create(self, *, actor, data):
        return organisation_create(actor=actor, **data)


@detail_schema(s.OrganisationSerializer, s.OrganisationInputSerializer, tag="organisations")
class OrganisationDetailApi(OrganisationQuerysetMixin, ScopedUpdateMixin, ScopedDetailApi):
    input_serializer_class = s.OrganisationInputSerializer

    def perform_update(self, *, actor, obj, data):
        return organisation_update(actor=actor, organisation=obj, **data)


@reveal_schema(s.OrganisationRevealInputSerializer, tag="organisations")
class OrganisationRevealApi(OrganisationQuerysetMixin, ScopedRevealApi):
    serializer_class = s.RevealOutputSerializer
    input_serializer_class = s.OrganisationRevealInputSerializer

