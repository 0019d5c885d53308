"""Excel imports of the registers: create a job from an upload, run it, sweep jobs whose task was lost.

How a run keeps "all or nothing" and still shows progress
1. Claim: QUEUED -> RUNNING with attempts+1 by compare-and-set; a second delivery of the task finds the job
   claimed and does nothing. Every later write of the run is conditional on (RUNNING, this attempt), so a run
   that lost its claim (the sweep gave the job to another worker) can never finish it.
2. Validate every row, in chunks of PROGRESS_EVERY rows. Each chunk is a transaction that is always rolled
   back, and inside it each row calls the real register service in its own savepoint, rolled back as well:
   the same rules as the pages and the API, and no row sees another row's effects. Duplicates within the
   file are found by natural key. Between chunks, outside any transaction, processed_rows is written, so
   the progress bar (another connection) sees it.
3. Any row error: nothing is written; the job is FAILED with every error as {row, column, message}.
4. No error: ONE transaction writes every new or changed row through the same services, marks the job
   SUCCEEDED with its counts and writes one `import` audit row. Rows whose values equal the stored ones are
   not passed to a service at all (no update, no updated_at, no audit `update` row). Any exception inside
   rolls everything back and the job is FAILED: never a half import.
"""

import functools
import logging
import os
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.request_context import actor_for, reset_actor, set_actor
from governance.models import AuditLog
from governance.selectors.jurisdiction import jurisdiction_roots
from governance.services.audit import audit_record
from grids.imports.registers import CREATE, UNCHANGED, UPDATE, RegisterSpec, Resolver, RowPlan, get_register
from grids.imports.workbook import WorkbookError, read_workbook, too_large_message, unreadable_message
from grids.models import ImportJob
from grids.permissions import can_edit_registers, in_jurisdiction

logger = logging.getLogger(__name__)

Status = ImportJob.Status
PROGRESS_EVERY = 50
QUEUED_STALE_AFTER = timedelta(minutes=2)
RUNNING_STALE_AFTER = timedelta(minutes=30)
MAX_ATTEMPTS = 3
MAX_STORED_ERRORS = 5000


class _RolledBack(Exception):
    """Raised inside a savepoint to undo a validation-only service call."""


class _LostClaim(Exception):
    """The job is no longer RUNNING under this attempt: stop without touching it."""


def _enqueue(job_id: int) -> None:
    from grids.tasks import import_job_run_task

    import_job_run_task.delay(job_id)


def _scope_of(actor):
    return actor.region if actor.region_id else jurisdiction_roots(actor).first()


# --- upload -------------------------------------------------------------------------------------------------

def import_job_create(*, actor, register: str, upload) -> ImportJob:
    """Check the upload (size, real .xlsx, header, row count), store it and queue the run after commit.

    Raises InvalidInput with a message for the user; nothing is stored then."""
    if not can_edit_registers(actor):
        raise PermissionDeniedError(_("Your role may not import into the registers. 您的角色无权导入登记信息。"))
    spec = get_register(register)
    if spec is None:
        raise NotFoundOrForbidden(_("Unknown register. 登记类别不存在。"))
    max_bytes = settings.GONGZHI_IMPORT_MAX_BYTES
    name = os.path.basename(getattr(upload, "name", "") or "")
    if upload.size is not None and upload.size > max_bytes:
        raise InvalidInput(too_large_message(max_bytes))
    if not name.lower().endswith(".xlsx"):
        raise InvalidInput(unreadable_message())
    data = upload.read(max_bytes + 1)
    try:
        sheet = read_workbook(data, spec.columns, max_rows=settings.GONGZHI_IMPORT_MAX_ROWS, max_bytes=max_bytes)
    except WorkbookError as exc:
        raise InvalidInput(exc.message) from None
    with transaction.atomic():
        job = ImportJob(register=spec.slug, scope=_scope_of(actor), original_name=name[:200],
                        total_rows=len(sheet.rows), created_by=actor)
        job.file.save(f"{spec.slug}-{uuid.uuid4().hex}.xlsx", ContentFile(data), save=False)
        job.save()
        transaction.on_commit(functools.partial(_enqueue, job.pk))
    return job


# --- run ----------------------------------------------------------------------------------------------------

def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job once. Returns None when the job was not QUEUED (already claimed or finished)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now(), processed_rows=0,
        finished_at=None)
    if not claimed:
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    run = _Run(job)
    token = set_actor(actor_for(job.created_by))
    try:
        run.execute()
    except _LostClaim:
        logger.warning("import job %s: claim lost (attempt %s); stopped without writing", job_id, run.attempt)
    except Exception:  # noqa: BLE001 - whatever happened, nothing was written; the job must say so
        logger.exception("import job %s failed unexpectedly at row %s", job_id, run.current_row)
        try:
            run.fail([_error(run.current_row, "", _(
                "An unexpected error stopped the import; nothing was imported. Try again later or contact the "
                "administrator. 导入时发生意外错误，未导入任何数据，请稍后重试或联系管理员。"))])
        except _LostClaim:
            pass
    finally:
        reset_actor(token)
    _discard_file(job_id)
    job.refresh_from_db()
    return job


def _error(row, column: str, message) -> dict:
    return {"row": row, "column": column, "message": str(message)}


def _report_progress(job_id: int, attempt: int, processed: int) -> bool:
    """A committed write (we are between transactions), so other connections see the progress."""
    return bool(ImportJob.objects.filter(pk=job_id, status=Status.RUNNING, attempts=attempt)
                .update(processed_rows=processed))


class _Run:
    def __init__(self, job: ImportJob):
        self.job = job
        self.attempt = job.attempts
        self.actor = job.created_by
        self.spec: RegisterSpec | None = get_register(job.register)
        self.current_row = None

    def owned(self):
        return ImportJob.objects.filter(pk=self.job.pk, status=Status.RUNNING, attempts=self.attempt)

    def execute(self) -> None:
        if self.spec is None:
            return self.fail([_error(None, "", _("Unknown register. 登记类别不存在。"))])
        if not can_edit_registers(self.actor):
            return self.fail([_error(None, "", _("Your role may not import into the registers. "
                                                 "您的角色无权导入登记信息。"))])
        try:
            with self.job.file.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError):
            return self.fail([_error(None, "", _("The uploaded file is no longer available; upload it again. "
                                                 "上传的文件已不存在，请重新上传。"))])
        try:
            sheet = read_workbook(data, self.spec.columns, max_rows=settings.GONGZHI_IMPORT_MAX_ROWS,
                                  max_bytes=settings.GONGZHI_IMPORT_MAX_BYTES)
        except WorkbookError as exc:
            return self.fail([_error(None, "", exc.message)])
        if not self.owned().update(total_rows=len(sheet.rows)):
            raise _LostClaim
        plans = self.validate(sheet)
        errors = self.error_report(plans)
        if errors:
            return self.fail(errors)
        return self.write(plans)

    # Validation: the real services in rolled-back savepoints, chunk by chunk, progress between chunks.
    def validate(self, sheet) -> list[RowPlan]:
        resolver = Resolver(self.actor)
        keys: dict[tuple, int] = {}
        instances: dict[int, int] = {}
        plans: list[RowPlan] = []
        rows = sheet.rows
        for start in range(0, len(rows), PROGRESS_EVERY):
            batch = [(number, {column.key: value for column, value in zip(sheet.columns, values, strict=False)
                               if column is not None}) for number, values in rows[start:start + PROGRESS_EVERY]]
            self.spec.prefetch(resolver, [cells for _number, cells in batch])
            with transaction.atomic():
                for number, cells in batch:
                    self.current_row = number
                    plan = self.spec.plan(resolver, number, cells)
                    self._check_duplicates(plan, keys, instances)
                    self._check_with_service(plan)
                    plans.append(plan)
                transaction.set_rollback(True)
            if not _report_progress(self.job.pk, self.attempt, min(start + PROGRESS_EVERY, len(rows))):
                raise _LostClaim
        self.current_row = None
        return plans

    def _check_duplicates(self, plan: RowPlan, keys: dict, instances: dict) -> None:
        column = self.spec.duplicate_column(plan)
        if plan.key is not None:
            first = keys.setdefault(plan.key, plan.row)
            if first != plan.row:
                plan.error(column, _("Same record as row %(row)d (duplicate in the file). 与第%(row)d行重复。")
                           % {"row": first})
        if plan.instance is not None:
            first = instances.setdefault(plan.instance.pk, plan.row)
            if first != plan.row:
                plan.error(column, _("Same record as row %(row)d (duplicate in the file). 与第%(row)d行重复。")
                           % {"row": first})

    def _check_with_service(self, plan: RowPlan) -> None:
        if plan.instance is None:
            plan.action = CREATE
        elif not in_jurisdiction(self.actor, plan.instance.grid):
            plan.action = UPDATE
            plan.error("", _("This record is registered outside your jurisdiction. 该记录不在您的管辖范围内。"))
            return
        else:
            plan.action = UNCHANGED if self.spec.unchanged(plan) else UPDATE
        if plan.action == UNCHANGED or not self.spec.checkable(plan):
            return
        try:
            with transaction.atomic():
                self._save(plan)
                raise _RolledBack
        except _RolledBack:
            pass
        except ValidationError as exc:
            self.spec.service_errors(plan, exc)
        except PermissionDeniedError as exc:
            plan.error("", exc.message)

    def _save(self, plan: RowPlan) -> None:
        if plan.action == CREATE:
            self.spec.create(self.actor, plan)
        elif plan.action == UPDATE:
            self.spec.update(self.actor, plan)

    def error_report(self, plans: list[RowPlan]) -> list[dict]:
        order = {column.key: index for index, column in enumerate(self.spec.columns)}
        errors = []
        for plan in plans:
            for key in sorted(plan.errors, key=lambda k: order.get(k, -1)):
                errors.append(_error(plan.row, self.spec.header_for(key) if key else "", plan.errors[key]))
        return errors

    # Writing: one transaction for every row, the job's outcome and the audit row.
    def write(self, plans: list[RowPlan]) -> None:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        plan = None
        try:
            with transaction.atomic():
                for plan in plans:
                    self.current_row = plan.row
                    self._save(plan)
                    counts[plan.action] += 1
                self.current_row = None
                finished = self.owned().update(
                    status=Status.SUCCEEDED, processed_rows=len(plans), created_count=counts[CREATE],
                    updated_count=counts[UPDATE], unchanged_count=counts[UNCHANGED], errors=[],
                    finished_at=timezone.now())
                if not finished:
                    raise _LostClaim
                self._audit(AuditLog.Outcome.SUCCESS, rows=len(plans), created=counts[CREATE],
                            updated=counts[UPDATE], unchanged=counts[UNCHANGED], errors=0)
        except (ValidationError, PermissionDeniedError) as exc:
            # Someone changed the registers between validation and writing; all of it was rolled back.
            plan.errors.clear()
            if isinstance(exc, ValidationError):
                self.spec.service_errors(plan, exc)
            else:
                plan.error("", exc.message)
            self.fail(self.error_report([plan]))

    def fail(self, errors: list[dict]) -> None:
        if len(errors) > MAX_STORED_ERRORS:
            hidden = len(errors) - MAX_STORED_ERRORS
            errors = errors[:MAX_STORED_ERRORS] + [_error(None, "", _(
                "…and %(n)d more errors not listed. 另有%(n)d条错误未列出。") % {"n": hidden})]
        with transaction.atomic():
            if not self.owned().update(status=Status.FAILED, errors=errors, created_count=0, updated_count=0,
                                       unchanged_count=0, finished_at=timezone.now()):
                raise _LostClaim
            rows = sorted({error["row"] for error in errors if error["row"] is not None})
            self._audit(AuditLog.Outcome.FAILURE, rows=self.job.total_rows, errors=len(errors),
                        rows_with_errors=len(rows))

    def _audit(self, outcome, **counts) -> None:
        _audit_import(self.job, outcome, attempt=self.attempt, **counts)


def _audit_import(job: ImportJob, outcome, *, actor=None, **detail) -> None:
    audit_record(action=AuditLog.Action.IMPORT, object_type=ImportJob._meta.label_lower, object_id=str(job.pk),
                 object_repr=f"{job.register} {job.original_name}"[:200], outcome=outcome,
                 detail={"register": job.register, **detail}, actor=actor)


def _discard_file(job_id: int) -> None:
    """A finished job no longer needs the upload (it holds personal data): delete it (PIPL minimisation)."""
    job = (ImportJob.objects.filter(pk=job_id, status__in=[Status.SUCCEEDED, Status.FAILED])
           .exclude(file="").only("pk", "file").first())
    if job is None:
        return
    name = job.file.name
    ImportJob.objects.filter(pk=job_id).update(file="")
    try:
        job.file.storage.delete(name)
    except OSError:
        logger.warning("import job %s: could not delete %s", job_id, name)


# --- sweep --------------------------------------------------------------------------------------------------

def _stale(now) -> dict:
    queued_cutoff, running_cutoff = now - QUEUED_STALE_AFTER, now - RUNNING_STALE_AFTER
    return {
        Status.QUEUED: Q(status=Status.QUEUED) & (Q(started_at__lt=queued_cutoff)
                                                  | Q(started_at__isnull=True, created_at__lt=queued_cutoff)),
        Status.RUNNING: Q(status=Status.RUNNING, started_at__lt=running_cutoff),
    }


def stale_import_jobs(*, now, batch_size: int = 100) -> list[tuple[int, str, int]]:
    """(pk, status, attempts) of jobs whose task was lost (QUEUED > 2 min) or whose worker died (RUNNING > 30 min)."""
    stale = _stale(now)
    return list(ImportJob.objects.filter(stale[Status.QUEUED] | stale[Status.RUNNING])
                .order_by("created_at", "pk").values_list("pk", "status", "attempts")[:batch_size])


def import_job_recover(*, pk: int, status: str, attempts: int, now) -> str | None:
    """Re-queue one stale job, or fail it after MAX_ATTEMPTS runs. A compare-and-set on the staleness condition
    itself (and the attempts seen), so of two sweeps that both saw the job, one acts and the other does nothing.
    Returns "requeued", "failed" or None."""
    mine = ImportJob.objects.filter(_stale(now)[status], pk=pk, attempts=attempts)
    if attempts >= MAX_ATTEMPTS:
        return "failed" if _give_up(mine, pk, attempts, now) else None
    with transaction.atomic():
        # started_at of a re-queued job is the time it was re-queued: the next sweep waits again.
        if not mine.update(status=Status.QUEUED, started_at=now):
            return None
        transaction.on_commit(functools.partial(_enqueue, pk))
    return "requeued"


def import_jobs_sweep(*, now=None, batch_size: int = 100) -> dict:
    """The beat sweep: recover every stale job. Safe to run twice or concurrently (see import_job_recover)."""
    now = now or timezone.now()
    result = {"requeued": 0, "failed": 0}
    for pk, status, attempts in stale_import_jobs(now=now, batch_size=batch_size):
        outcome = import_job_recover(pk=pk, status=status, attempts=attempts, now=now)
        if outcome:
            result[outcome] += 1
    return result


def _give_up(mine, pk: int, attempts: int, now) -> bool:
    message = _("The import was interrupted %(n)d times and has been stopped; nothing was imported. Upload the "
                "file again. 导入已中断%(n)d次，已停止，未导入任何数据，请重新上传。") % {"n": attempts}
    with transaction.atomic():
        if not mine.update(status=Status.FAILED, finished_at=now, errors=[_error(None, "", message)]):
            return False
        job = ImportJob.objects.select_related("created_by").get(pk=pk)
        _audit_import(job, AuditLog.Outcome.FAILURE, actor=actor_for(job.created_by), attempt=attempts,
                      rows=job.total_rows, errors=1, reason="gave_up")
    _discard_file(pk)
    return True
