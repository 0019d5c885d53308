"""API plumbing shared by every app: permissions, cursor pagination, the audit actor, the error schema.

(The error handler lives in governance.lib.api_errors: importing rest_framework.views here would be circular.)"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission

from governance.lib.request_context import actor_for, client_ip, reset_actor, set_actor
from governance.models import STAFF_ROLES


class IsStaffAccount(BasePermission):
    """Default for the API: an active, logged-in account in a staff role (reads are scoped further)."""

    message = "Staff account required."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


class IsActiveAccount(BasePermission):
    """Any active, logged-in account (e.g. `me/`); anonymous requests get 403 `not_authenticated`."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class IdCursorPagination(CursorPagination):
    """Stable cursor pagination; ordering by primary key works for every model.

    A cursor that does not decode answers 404 `not_found` (DRF's NotFound), never 500."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """DRF checks the cursor's offset and reverse flag but not its position, which is a client-supplied
        string compared with the ordering column: a forged `p=abc` would reach the database. For id ordering
        the position must be a whole number in bigint range."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and self._orders_by_id():
            position = cursor.position
            if not (position.isascii() and position.isdigit() and int(position) <= 2**63 - 1):
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def _orders_by_id(self) -> bool:
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        return ordering.lstrip("-") in ("id", "pk")


class AuditActorMixin:
    """Makes the account DRF authenticated the actor of every audit row written during the request.

    AuditContextMiddleware already does this for session logins; DRF authenticates later and may use other
    schemes (tokens, tests' force_authenticate), so the API re-binds the actor once the user is known."""

    def perform_authentication(self, request):
        super().perform_authentication(request)
        self._audit_actor_token = set_actor(actor_for(request.user, client_ip(request)))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(self, "_audit_actor_token", None)
        if token is not None:
            self._audit_actor_token = None
            reset_actor(token)
        return response


class ErrorSerializer(serializers.Serializer):
    """The one error shape (documentation only): {code, message, extra}."""

    code = serializers.CharField(help_text=_("Stable machine-readable code, e.g. invalid, not_found."))
    message = serializers.CharField(help_text=_("Human-readable message (zh-hans with English)."))
    extra = serializers.DictField(help_text=_('Details; for "invalid": {"fields": {field: [message, ...]}}.'))


ERROR_RESPONSES = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
READ_ERROR_RESPONSES = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):
    """Read-only: renders a personal-data value through a mask (mask_id_number, mask_phone). The plaintext is
    never in the response; unmasking is the audited `reveal` action."""

    def __init__(self, mask, **kwargs):
        self.mask = mask
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.mask(value) if value else ""


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """Input: a primary key resolved through a scoped selector (`scope(user=...)`), so an object outside the
    user's jurisdiction and a nonexistent one get the same message. Only whole numbers in bigint range are
    looked up; anything else is a 400, never a database error."""

    MAX_PK = 2**63 - 1

    def __init__(self, *, scope, model, **kwargs):
        self.scope = scope
        self.model = model
        kwargs.setdefault("pk_field", serializers.IntegerField())  # every key is a BigAutoField (and the schema says so)
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return self.model.objects.none()
        return self.scope(user=user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not (data.strip().isascii() and data.strip().isdigit()):
                self.fail("incorrect_type", data_type="str")
            data = int(data.strip())
        if not 0 < data <= self.MAX_PK:
            self.fail("does_not_exist", pk_value=data)
        try:
            return self.get_queryset().get(pk=data)
        except self.model.DoesNotExist:
            self.fail("does_not_exist", pk_value=data)


class NamedChoiceField(serializers.ChoiceField):
    """A ChoiceField whose OpenAPI enum is its own named component (`enum_name`).

    drf-spectacular names enums after the field ("kind" -> KindEnum) and warns when one field name carries
    several choice sets (Building.Kind, Household.Kind, Organisation.Kind): use this field for those."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = {"type": "string", "enum": list(dict.fromkeys(field.choices)),
                  "description": build_choice_description_list(field.choices.items())}
        component = ResolvedComponent(name=field.enum_name, type=ResolvedComponent.SCHEMA, object=field.enum_name,
                                      schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref
