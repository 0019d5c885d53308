from governance.models.accounts import User
from governance.models.audit import AUDIT_EXCLUDED_MODELS, AuditLog
from governance.models.departments import Department
from governance.models.notifications import Delivery, Notification
from governance.models.roles import ADMIN_ROLES, DEPARTMENT_ROLES, REGION_ROLES, ROLE_REGION_LEVEL, STAFF_ROLES, Role

__all__ = [
    "ADMIN_ROLES", "AUDIT_EXCLUDED_MODELS", "AuditLog", "DEPARTMENT_ROLES", "Delivery", "Department", "Notification",
    "REGION_ROLES",
    "ROLE_REGION_LEVEL", "Role", "STAFF_ROLES", "User",
]
