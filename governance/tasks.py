"""Thin Celery tasks of the platform core; every task is safe to run twice."""

from celery import shared_task

from governance.sms import SmsError


# A few quick retries for a gateway blip (30 s, 60 s, 120 s at most, with jitter: done within about 4 minutes),
# so a retry chain has ended before the resend sweep (deliveries pending for 10+ minutes) takes the row over;
# the attempts cap lives on the row (GONGZHI_NOTIFICATION_MAX_ATTEMPTS), not in the broker.
@shared_task(acks_late=True, autoretry_for=(SmsError, OSError), retry_backoff=30, retry_backoff_max=120,
             max_retries=3)
def delivery_send_task(delivery_id: int) -> None:
    from governance.services.notifications import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task
def deliveries_resend_task() -> int:
    from governance.services.notifications import deliveries_resend_pending

    return deliveries_resend_pending()
