"""The one access decorator of the staff pages.

`@staff_page(allowed)`: logged in (else to the login page) and `allowed(user)` (else 404: a page outside a role's
work does not exist for it); inside the view, a selector's NotFoundOrForbidden is a 404 and a service's
PermissionDeniedError a 403 with its message. The pages name people, so browsers and proxies must not keep them
(never_cache)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.views.decorators.cache import never_cache

from governance.lib.exceptions import NotFoundOrForbidden, PermissionDeniedError


def staff_page(allowed):
    def decorator(view):
        @login_required
        @never_cache
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except NotFoundOrForbidden:
                raise Http404 from None
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from None

        return wrapped

    return decorator
