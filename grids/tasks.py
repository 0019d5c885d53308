"""Thin Celery tasks: ids in, one service call; every task is safe to run twice (see the services)."""

from celery import shared_task


# The hard limit stays below the sweep's 30 minutes, so a job is never re-queued while its run is alive.
@shared_task(acks_late=True, soft_time_limit=25 * 60, time_limit=27 * 60)
def import_job_run_task(job_id: int) -> None:
    from grids.services.imports import import_job_run

    import_job_run(job_id=job_id)


@shared_task
def import_jobs_sweep_task() -> dict:
    from grids.services.imports import import_jobs_sweep

    return import_jobs_sweep()


# --- the incident loop ---------------------------------------------------------------------------------
@shared_task(acks_late=True)
def incident_dispatch_task(incident_id: int) -> None:
    from grids.services.dispatch import incident_dispatch

    incident_dispatch(incident_id=incident_id)


@shared_task
def incident_deadlines_sweep_task() -> dict:
    """Every minute: dispatch what a lost task left undispatched, then warn, flag and escalate by deadline."""
    from grids.services.deadlines import incident_deadlines_sweep

    return incident_deadlines_sweep()
