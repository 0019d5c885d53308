from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.models import AuditLog, Role
from grids.models import RegionLevel


class JurisdictionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)
    level = serializers.ChoiceField(choices=RegionLevel.choices, read_only=True)


class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True)


class CapabilitiesSerializer(serializers.Serializer):
    read_registers = serializers.BooleanField(read_only=True)
    edit_registers = serializers.BooleanField(read_only=True)
    view_special_groups = serializers.BooleanField(read_only=True)
    read_audit_log = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    role_label = serializers.CharField(read_only=True)
    jurisdiction = JurisdictionSerializer(read_only=True, allow_null=True,
                                          help_text=_("The region the account is bound to (region roles)."))
    department = DepartmentRefSerializer(read_only=True, allow_null=True,
                                         help_text=_("The department (department handlers)."))
    capabilities = CapabilitiesSerializer(read_only=True)


class AuditLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    user_id = serializers.IntegerField(read_only=True, allow_null=True)
    username = serializers.CharField(read_only=True)
    role = serializers.CharField(read_only=True)
    ip_address = serializers.IPAddressField(read_only=True, allow_null=True)
    action = serializers.ChoiceField(choices=AuditLog.Action.choices, read_only=True)
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    object_repr = serializers.CharField(read_only=True)
    outcome = serializers.ChoiceField(choices=AuditLog.Outcome.choices, read_only=True)
    detail = serializers.JSONField(read_only=True, help_text=_("Field names and context; never the values."))
