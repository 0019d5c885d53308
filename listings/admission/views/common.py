"""Plumbing shared by the admission pages.

Access, the same on every page: anonymous → the login page; an account with no part in admission (residents, grid
workers, the three administrators) → 404; an object outside the account's reach → 404; in reach but this role may
not act → 403. Bad input → the form again with the messages and what was typed, status 400."""


from django.core.paginator import Paginator

from governance.lib.views import staff_page
from listings.admission.permissions import can_use_admission

PAGE_SIZE = 25


admission_page = staff_page(can_use_admission)


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
