"""Thin Celery tasks of the platform core; every task is safe to run twice."""

from celery import shared_task

from governance.sms import SmsError


@shared_task(acks_late=True, autoretry_for=(SmsError, OSError), retry_backoff=30, retry_backoff_max=1800,
             max_retries=8)
def delivery_send_task(delivery_id: int) -> None:
    from governance.services.notifications import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task
def deliveries_resend_task() -> int:
    from governance.services.notifications import deliveries_resend_pending

    return deliveries_resend_pending()
