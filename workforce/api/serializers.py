from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.lib.api import MaskedField
from governance.lib.pii import mask_phone
from workforce.models import GridAssignment, Worker


class WorkerGridSerializer(serializers.Serializer):
    """One active grid assignment (from the selector's prefetched `active_assignments`)."""

    grid = serializers.IntegerField(source="grid_id", read_only=True)
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    grid_code = serializers.CharField(source="grid.code", read_only=True)
    duty = serializers.ChoiceField(choices=GridAssignment.Duty.choices, read_only=True)
    since = serializers.DateField(read_only=True, allow_null=True)


class WorkerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    phone = MaskedField(mask_phone, help_text=_("Masked. Use reveal for the plaintext."))
    post = serializers.ChoiceField(choices=Worker.Post.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    grade = serializers.IntegerField(read_only=True, allow_null=True)
    hire_date = serializers.DateField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)
    has_account = serializers.BooleanField(source="user_id", read_only=True,
                                           help_text=_("Linked to a grid-worker account."))
    community = serializers.IntegerField(source="community_id", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    grid_count = serializers.IntegerField(read_only=True)
    grids = WorkerGridSerializer(source="active_assignments", many=True, read_only=True)


class WorkerRevealInputSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["phone"], help_text=_("Which field to unmask."))
