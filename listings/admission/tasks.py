"""Thin Celery tasks of admission: one service call each, safe to run twice (see the services)."""

from celery import shared_task


@shared_task
def admission_review_sweep_task() -> dict:
    """Every 5 minutes (beat): remind the review group, escalate late reviews, put yearly reviews due."""
    from listings.admission.services.deadlines import admission_review_sweep

    return admission_review_sweep()
