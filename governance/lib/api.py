"""API plumbing shared by every app: the default permission and cursor pagination.

(The error handler lives in governance.lib.api_errors: importing rest_framework.views here would be circular.)"""

from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission

from governance.models import STAFF_ROLES


class IsStaffAccount(BasePermission):
    """Default for the API: an active, logged-in account in a staff role (reads are scoped further)."""

    message = "Staff account required."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.role in STAFF_ROLES)


class IdCursorPagination(CursorPagination):
    """Stable cursor pagination; ordering by primary key works for every model."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
