"""Every administrator page answers 404 (never 403) to every role but its own; each role lands on its home."""

import pytest
from django.urls import reverse

from governance.models import Role
from governance.navigation import HOME, NAVIGATION
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# (url name, needs a user id, method, the only role that may use it)
PAGES = [
    ("accounts:list", False, "get", Role.SYSTEM_ADMIN),
    ("accounts:create", False, "get", Role.SYSTEM_ADMIN),
    ("accounts:create", False, "post", Role.SYSTEM_ADMIN),
    ("accounts:edit", True, "get", Role.SYSTEM_ADMIN),
    ("accounts:edit", True, "post", Role.SYSTEM_ADMIN),
    ("accounts:set_active", True, "post", Role.SYSTEM_ADMIN),
    ("accounts:reset_password", True, "get", Role.SYSTEM_ADMIN),
    ("accounts:reset_password", True, "post", Role.SYSTEM_ADMIN),
    ("accounts:grants", False, "get", Role.SECURITY_ADMIN),
    ("accounts:grant_edit", True, "get", Role.SECURITY_ADMIN),
    ("accounts:grant_edit", True, "post", Role.SECURITY_ADMIN),
    ("accounts:unlock", True, "post", Role.SECURITY_ADMIN),
    ("audit:list", False, "get", Role.AUDITOR),
    ("audit:export", False, "get", Role.AUDITOR),
]


def _url(name, needs_id, target):
    return reverse(name, args=[target.pk]) if needs_id else reverse(name)


@pytest.mark.parametrize("name, needs_id, method, owner", PAGES)
def test_other_roles_get_404(client_for, users_by_role, name, needs_id, method, owner):
    target = make_user(Role.RESIDENT, full_name="目标")
    url = _url(name, needs_id, target)
    for role, user in users_by_role.items():
        if role == owner:
            continue
        response = getattr(client_for(user), method)(url, {"role": Role.SYSTEM_ADMIN, "full_name": "x"})
        assert response.status_code == 404, (role, name, method)
    target.refresh_from_db()
    assert target.role == Role.RESIDENT and target.full_name == "目标" and target.is_active


@pytest.mark.parametrize("name, needs_id, method, owner", [p for p in PAGES if p[2] == "get"])
def test_owner_gets_the_page(client_for, users_by_role, name, needs_id, method, owner):
    target = make_user(Role.RESIDENT)
    response = client_for(users_by_role[owner]).get(_url(name, needs_id, target))
    assert response.status_code == 200


@pytest.mark.parametrize("name, needs_id, method, owner", PAGES)
def test_anonymous_is_sent_to_login(client, db, name, needs_id, method, owner):
    target = make_user(Role.RESIDENT)
    response = getattr(client, method)(_url(name, needs_id, target))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_superuser_without_the_role_gets_404(client_for):
    root = make_user(Role.RESIDENT, is_superuser=True, is_staff=True)
    client = client_for(root)
    for name in ("accounts:list", "accounts:grants", "audit:list"):
        assert client.get(reverse(name)).status_code == 404


def test_inactive_admin_is_not_let_in(client_for):
    admin = make_user(Role.SYSTEM_ADMIN)
    client = client_for(admin)
    admin.is_active = False
    admin.save()
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302  # logged out: the session's user no longer authenticates


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_administrators_land_on_their_page_after_login(client, db, role):
    from tests.factories import PASSWORD

    make_user(role, username=f"home-{role}")
    response = client.post(reverse("accounts:login"), {"username": f"home-{role}", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(HOME[role])
    assert response.status_code == 200


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR])
def test_navigation_shows_only_the_own_page(client_for, users_by_role, role):
    response = client_for(users_by_role[role]).get(reverse(HOME[role]))
    html = response.content.decode()
    own = {item.url for item in NAVIGATION[role]}
    others = {reverse(HOME[r]) for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR)} - own
    for url in own:
        assert f'href="{url}"' in html
    for url in others:
        assert f'href="{url}"' not in html
