"""Writes to the community-worker roster: workers and their grid assignments.

Each function is one transaction, re-checks the actor's role and jurisdiction, and raises django ValidationError
with per-field messages (English with zh-hans), or PermissionDeniedError. Audit rows come from the model signals."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import PermissionDeniedError
from governance.lib.pii import normalize_phone, validate_phone
from governance.models import Role
from grids.models import Region, RegionLevel
from grids.permissions import can_read_registers, in_jurisdiction
from workforce.models import GridAssignment, Worker

ROSTER_EDITORS = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF})

# 3岗18级: grade range per post **[config]**: override with settings.GONGZHI_WORKER_GRADE_RANGES.
DEFAULT_GRADE_RANGES = {
    Worker.Post.HEAD: (7, 18),
    Worker.Post.DEPUTY: (4, 15),
    Worker.Post.STAFF: (1, 12),
}

WORKER_FIELDS = {"community", "name", "phone", "post", "title", "grade", "hire_date", "is_active", "user"}


def grade_range(post: str) -> tuple[int, int]:
    ranges = getattr(settings, "GONGZHI_WORKER_GRADE_RANGES", None) or DEFAULT_GRADE_RANGES
    low, high = ranges.get(post, (1, 18))
    return int(low), int(high)


def can_edit_roster(user) -> bool:
    return can_read_registers(user) and user.role in ROSTER_EDITORS


def _ensure_editor(actor) -> None:
    if not can_edit_roster(actor):
        raise PermissionDeniedError(_("Your role may not change the worker roster. 您的角色无权修改社区工作者名册。"))


def _same_community(region: Region | None, community: Region) -> bool:
    return region is not None and region.path.startswith(community.path)


def _worker_checks(actor, worker: Worker, errors: dict) -> None:
    community = worker.community if worker.community_id else None
    if community is None:
        errors["community"] = _("Choose a community. 请选择社区。")
    elif (community.level != RegionLevel.COMMUNITY or community.valid_to is not None
          or not in_jurisdiction(actor, community)):
        errors["community"] = _("Choose a current community within your jurisdiction. 请选择您管辖范围内的社区。")

    worker.name = (worker.name or "").strip()
    if not worker.name:
        errors["name"] = _("Enter the worker's name. 请填写姓名。")

    worker.title = (worker.title or "").strip()
    worker.phone = normalize_phone(worker.phone or "")
    if worker.phone:
        try:
            validate_phone(worker.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]

    if worker.post not in Worker.Post.values:
        errors["post"] = _("Choose a post: head, deputy or staff. 请选择岗位。")
    elif worker.grade is not None:
        low, high = grade_range(worker.post)
        if not low <= worker.grade <= high:
            errors["grade"] = _("For the post %(post)s the grade must be between %(low)d and %(high)d "
                                "(3岗18级). 该岗位的等级须在%(low)d–%(high)d级之间。") % {
                "post": Worker.Post(worker.post).label, "low": low, "high": high}

    if worker.hire_date is not None and worker.hire_date > timezone.localdate():
        errors["hire_date"] = _("The hire date cannot be in the future. 入职日期不能晚于今天。")

    account = worker.user if worker.user_id else None
    if account is not None and "community" not in errors:
        if account.role != Role.GRID_WORKER or not account.is_active:
            errors["user"] = _("Only an active grid-worker account can be linked. 只能关联在用的网格员账号。")
        elif not _same_community(account.region, community):
            errors["user"] = _("The account must be bound to a grid of the same community. "
                               "账号须绑定在本社区的网格。")
        elif Worker.objects.filter(user=account).exclude(pk=worker.pk).exists():
            errors["user"] = _("This account is already linked to another worker. 该账号已关联其他社区工作者。")

    if worker.pk and "community" not in errors and community is not None:
        elsewhere = GridAssignment.objects.filter(worker=worker, active=True).exclude(
            grid__path__startswith=community.path)
        if elsewhere.exists():
            errors["community"] = _("End the worker's grid assignments in the old community first. "
                                    "请先结束该工作者在原社区的网格分配。")


def _apply(worker: Worker, fields: dict) -> None:
    unknown = set(fields) - WORKER_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(worker, name, value)


def _save(worker: Worker, errors: dict) -> Worker:
    if not errors:
        try:
            worker.full_clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name if name in WORKER_FIELDS else "__all__", messages[0])
    if errors:
        raise ValidationError(errors)
    worker.save()
    return worker


@transaction.atomic
def worker_create(*, actor, community: Region, name: str, post: str = Worker.Post.STAFF, **fields) -> Worker:
    _ensure_editor(actor)
    worker = Worker()
    _apply(worker, {"community": community, "name": name, "post": post, **fields})
    errors: dict = {}
    _worker_checks(actor, worker, errors)
    return _save(worker, errors)


@transaction.atomic
def worker_update(*, actor, worker: Worker, **fields) -> Worker:
    _ensure_editor(actor)
    worker = Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)
    if not in_jurisdiction(actor, worker.community):
        raise PermissionDeniedError(_("This worker is outside your jurisdiction. 该社区工作者不在您的管辖范围内。"))
    _apply(worker, fields)
    errors: dict = {}
    _worker_checks(actor, worker, errors)
    return _save(worker, errors)


@transaction.atomic
def worker_assign_to_grid(*, actor, worker: Worker, grid: Region, duty: str = GridAssignment.Duty.FULL_TIME,
                          since: datetime.date | None = None) -> GridAssignment:
    _ensure_editor(actor)
    worker = Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)
    if not in_jurisdiction(actor, worker.community):
        raise PermissionDeniedError(_("This worker is outside your jurisdiction. 该社区工作者不在您的管辖范围内。"))
    errors: dict = {}
    if not worker.is_active:
        errors["__all__"] = _("An inactive worker cannot be assigned. 已停用的社区工作者不能分配网格。")
    if grid is None or not isinstance(grid, Region):
        errors["grid"] = _("Choose a grid. 请选择网格。")
    elif (grid.level not in (RegionLevel.GRID, RegionLevel.MICRO_GRID) or grid.valid_to is not None
          or not _same_community(grid, worker.community) or not in_jurisdiction(actor, grid)):
        errors["grid"] = _("Choose a current grid in the worker's own community. 请选择该工作者所在社区的网格。")
    if duty not in GridAssignment.Duty.values:
        errors["duty"] = _("Choose a duty. 请选择职责。")
    if "grid" not in errors and "duty" not in errors and GridAssignment.objects.filter(
            worker=worker, grid=grid, duty=duty, active=True).exists():
        errors["grid"] = _("The worker already has this duty on this grid. 该工作者已在此网格承担该职责。")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return GridAssignment.objects.create(worker=worker, grid=grid, duty=duty,
                                                 since=since or timezone.localdate())
    except IntegrityError:
        raise ValidationError({"grid": _("The worker already has this duty on this grid. "
                                         "该工作者已在此网格承担该职责。")}) from None


@transaction.atomic
def worker_end_assignment(*, actor, assignment: GridAssignment, until: datetime.date | None = None) -> GridAssignment:
    """End an active assignment (kept as history). Ending one that has already ended changes nothing."""
    _ensure_editor(actor)
    assignment = GridAssignment.objects.select_for_update().select_related("worker__community", "grid").get(
        pk=assignment.pk)
    if not in_jurisdiction(actor, assignment.worker.community) or not in_jurisdiction(actor, assignment.grid):
        raise PermissionDeniedError(_("This assignment is outside your jurisdiction. 该分配不在您的管辖范围内。"))
    if not assignment.active:
        return assignment
    until = until or timezone.localdate()
    if assignment.since and until < assignment.since:
        raise ValidationError({"until": _("The end date cannot be before the start date. 结束日期不能早于开始日期。")})
    assignment.active = False
    assignment.until = until
    assignment.save(update_fields=["active", "until"])
    return assignment
