from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY_STAFF = "community_staff", _("Community staff")
    STREET_STAFF = "street_staff", _("Street staff")
    DEPARTMENT_HANDLER = "department_handler", _("Department handler")
    DISTRICT_OFFICIAL = "district_official", _("District official")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Audit administrator")


# Which level of the region tree each region-bound role sits on.
ROLE_REGION_LEVEL = {
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.STREET_STAFF: "street",
    Role.DISTRICT_OFFICIAL: "district",
}
REGION_ROLES = frozenset(ROLE_REGION_LEVEL)
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HANDLER})
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
STAFF_ROLES = REGION_ROLES | DEPARTMENT_ROLES
