"""Plumbing shared by the admission pages.

Access, the same on every page: anonymous → the login page; an account with no part in admission (residents, grid
workers, the three administrators) → 404; an object outside the account's reach → 404; in reach but this role may
not act → 403. Bad input → the form again with the messages and what was typed, status 400."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.views.decorators.cache import never_cache

from governance.lib.exceptions import NotFoundOrForbidden, PermissionDeniedError
from listings.admission.permissions import can_use_admission

PAGE_SIZE = 25


def admission_page(view):
    @login_required
    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_use_admission(request.user):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotFoundOrForbidden:
            raise Http404 from None
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None

    return wrapped


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
