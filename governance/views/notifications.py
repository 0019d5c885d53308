"""The notification centre: the signed-in user's own inbox, unread first, paginated; POST marks read.

Only the user's own rows are ever read or changed: another user's notification is a 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from governance.models import Notification
from governance.services.notifications import notification_mark_read, notifications_mark_all_read

PAGE_SIZE = 20


def _own(user):
    return Notification.objects.filter(recipient=user)


def _next_url(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


@login_required
@require_GET
def notification_list_view(request):
    rows = (_own(request.user)
            .annotate(_read=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1),
                                 output_field=IntegerField()))
            .order_by("_read", "-created_at", "-id")
            .only("id", "kind", "title", "body", "url", "created_at", "read_at"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    unread = _own(request.user).filter(read_at__isnull=True).count()
    return render(request, "governance/notifications/list.html", {"page": page, "rows": page.object_list,
                                                                   "unread": unread})


@login_required
@require_POST
def notification_read_view(request, pk: int):
    """Mark one of my notifications read; with open=1, go on to the notification's link."""
    note = get_object_or_404(_own(request.user).only("id", "url"), pk=pk)
    notification_mark_read(user=request.user, notification_id=note.pk)
    if request.POST.get("open") and note.url and url_has_allowed_host_and_scheme(
            note.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(note.url)
    return redirect(_next_url(request, "notifications:list"))


@login_required
@require_POST
def notification_read_all_view(request):
    notifications_mark_all_read(user=request.user)
    return redirect(_next_url(request, "notifications:list"))
