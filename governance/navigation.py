"""The navigation each role sees, and where each role lands after login.

Only finished features appear here; a URL name is added when its pages exist."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_REGISTERS = [
    NavItem(_("Grid tree"), "grids:tree"),
    NavItem(_("Residents"), "grids:resident_list"),
    NavItem(_("Households"), "grids:household_list"),
    NavItem(_("Buildings"), "grids:building_list"),
    NavItem(_("Housing"), "grids:housing_list"),
    NavItem(_("Organisations"), "grids:organisation_list"),
    NavItem(_("Workers"), "workforce:worker_list"),
    NavItem(_("Imports"), "grids:import_list"),
]

_NOTIFICATIONS = [NavItem(_("Responsibility list"), "grids:category_tree"),
                  NavItem(_("Notifications"), "notifications:list")]

_CASE_ENTRY = [NavItem(_("Enter a case"), "intake:staff_entry"), NavItem(_("12345 import"), "intake:hotline_import")]

# Work on cases; each entry appears once its page exists (see `_resolvable`).
_CASES = [NavItem(_("My cases"), "grids:my_cases"), NavItem(_("Unit cases"), "grids:unit_cases")]
_PERFORMANCE = [NavItem(_("Performance"), "grids:incident_metrics")]

# The four lists, admission and certificates.
_LISTS = [NavItem(_("Four lists"), "listings:catalogue")]
_COMMUNITY_LISTS = [NavItem(_("Task ledger"), "admission:community_tasks"),
                    NavItem(_("Certificate register"), "certificates:register"),
                    NavItem(_("Burden figures"), "admission:burden")]
_ADMISSION = [NavItem(_("Task admission"), "admission:application_list")]

NAVIGATION = {
    Role.RESIDENT: [NavItem(_("My account"), "resident_home"), NavItem(_("Report a problem"), "intake:report"),
                    NavItem(_("Track a report"), "intake:track"),
                    NavItem(_("Ask for a certificate"), "certificates:request"),
                    NavItem(_("Community lists"), "listings:public")],
    Role.GRID_WORKER: [NavItem(_("My grid"), "grids:my_grid"), NavItem(_("Patrol report"), "intake:patrol_report")]
    + _CASES + _REGISTERS + _NOTIFICATIONS,
    Role.COMMUNITY_STAFF: _CASES + _CASE_ENTRY + _COMMUNITY_LISTS + _LISTS + _PERFORMANCE + _REGISTERS
    + _NOTIFICATIONS,
    Role.STREET_STAFF: _CASES + _CASE_ENTRY + _PERFORMANCE + _LISTS + [NavItem(_("Burden figures"), "admission:burden")]
    + _REGISTERS + _NOTIFICATIONS,
    Role.DISTRICT_OFFICIAL: _CASES + _PERFORMANCE + _LISTS + _ADMISSION
    + [NavItem(_("Burden figures"), "admission:burden")] + _REGISTERS + _NOTIFICATIONS,
    Role.DEPARTMENT_HANDLER: [NavItem(_("My department"), "department_home")] + _CASES + _PERFORMANCE + _ADMISSION
    + [NavItem(_("Tasks sent"), "admission:community_tasks")] + _LISTS
    + _NOTIFICATIONS,
    Role.SYSTEM_ADMIN: [NavItem(_("Accounts"), "accounts:list")],
    Role.SECURITY_ADMIN: [NavItem(_("Roles and grants"), "accounts:grants")],
    Role.AUDITOR: [NavItem(_("Audit log"), "audit:list")],
}

HOME = {
    Role.RESIDENT: "resident_home",
    Role.GRID_WORKER: "grids:my_grid",
    Role.COMMUNITY_STAFF: "grids:tree",
    Role.STREET_STAFF: "grids:tree",
    Role.DISTRICT_OFFICIAL: "grids:tree",
    Role.DEPARTMENT_HANDLER: "department_home",
    Role.SYSTEM_ADMIN: "accounts:list",
    Role.SECURITY_ADMIN: "accounts:grants",
    Role.AUDITOR: "audit:list",
}


def _resolvable(item: NavItem) -> bool:
    try:
        item.url  # noqa: B018
    except NoReverseMatch:
        return False
    return True


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAVIGATION.get(user.role, []) if _resolvable(item)]


def home_url_name(user) -> str:
    return HOME.get(getattr(user, "role", None), "resident_home")
