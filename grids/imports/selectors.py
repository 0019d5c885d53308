"""Reads of import jobs: a user sees only the jobs they started (others' jobs look like missing ones)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from governance.lib.exceptions import NotFoundOrForbidden
from grids.models import ImportJob
from grids.permissions import can_read_registers


def import_job_list(*, user) -> QuerySet[ImportJob]:
    """The user's own jobs, newest first, without the (possibly long) error report."""
    if not can_read_registers(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user).defer("errors").order_by("-created_at", "-id")


def access_import_job(*, user, job_id) -> ImportJob:
    if not can_read_registers(user):
        raise NotFoundOrForbidden(_("Import not found. 导入任务不存在。"))
    try:
        return ImportJob.objects.get(pk=job_id, created_by=user)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise NotFoundOrForbidden(_("Import not found. 导入任务不存在。")) from None
