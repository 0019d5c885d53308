"""DRF permission classes for the register API, on top of the predicates in grids.permissions.

- anonymous (or inactive): 403 `not_authenticated` (session authentication sends no WWW-Authenticate);
- an account with no jurisdiction (resident, department handler, the three administrators): 404, so the API
  does not even confirm the registers exist for them (same answer as an object outside the jurisdiction);
- writes (POST/PATCH) by a role that may only read (district official): 403 `permission_denied`.

Permission classes raise DRF's own exceptions (the error handler renders them in the same {code, message, extra}
shape): the browsable API probes permissions to decide which forms to draw and only expects APIException.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from grids.permissions import can_edit_registers, can_read_registers


class RegisterAccess(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not can_read_registers(user):
            raise exceptions.NotFound(_("Not found. 未找到。"))
        writes = (request.method not in SAFE_METHODS and getattr(view, "writes", True)
                  and hasattr(view, request.method.lower()))  # a method the view lacks is DRF's 405
        if writes and not can_edit_registers(user):
            raise exceptions.PermissionDenied(_("Your role may not change the registers. 您的角色无权修改登记信息。"))
        return True
