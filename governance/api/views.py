"""Platform-core API: the current account (`me/`) and the audit log (auditor only)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.filters import AuditLogApiFilterSet
from governance.api.serializers import AuditLogSerializer, MeSerializer
from governance.lib.api import ERROR_RESPONSES, READ_ERROR_RESPONSES, AuditActorMixin, IsActiveAccount
from governance.models import AuditLog
from governance.selectors.audit import audit_log_list, can_read_audit_log
from grids.permissions import can_edit_registers, can_read_registers, can_view_special_groups


class MeApi(AuditActorMixin, APIView):
    permission_classes = [IsActiveAccount]

    @extend_schema(tags=["account"], responses={200: MeSerializer, **READ_ERROR_RESPONSES},
                   description="The logged-in account: role, binding and what it may do.")
    def get(self, request):
        user = request.user
        region = user.region if user.region_id else None
        department = user.department if user.department_id else None
        data = {
            "id": user.pk,
            "username": user.get_username(),
            "full_name": user.full_name,
            "role": user.role,
            "role_label": user.get_role_display(),
            "jurisdiction": region,
            "department": department,
            "capabilities": {
                "read_registers": can_read_registers(user),
                "edit_registers": can_edit_registers(user),
                "view_special_groups": can_view_special_groups(user),
                "read_audit_log": can_read_audit_log(user),
            },
        }
        return Response(MeSerializer(data).data)


class AuditorOnly(BasePermission):
    """Anonymous: 403 not_authenticated. Every role but the auditor: 404, as if the log did not exist."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not can_read_audit_log(user):
            raise exceptions.NotFound(_("Not found. 未找到。"))  # DRF's: the browsable API probes permissions
        return True


@extend_schema_view(get=extend_schema(tags=["audit"], responses={200: AuditLogSerializer(many=True),
                                                                  **ERROR_RESPONSES}))
class AuditLogListApi(AuditActorMixin, generics.ListAPIView):
    """The append-only audit log, newest first; read-only."""

    permission_classes = [AuditorOnly]
    serializer_class = AuditLogSerializer
    filterset_class = AuditLogApiFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return AuditLog.objects.none()
        return audit_log_list(actor=self.request.user)
