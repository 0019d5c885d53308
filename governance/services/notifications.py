"""Notifications: `notify` writes inbox rows and delivery rows in the caller's transaction and enqueues the
sends on commit; `delivery_send` sends one delivery (safe to run twice); `deliveries_resend_pending` is the
sweep that picks up sends whose task was lost. A failed send is recorded (attempts, last error), never dropped.

Reliability rules:
- Nothing is sent for a rolled-back transaction: sends are enqueued with `transaction.on_commit`, and the
  callback is robust — a broker or gateway failure after commit is logged, never raised into the user's request.
- Without a broker (eager mode) the send runs in the request after commit; a gateway failure leaves the delivery
  PENDING with its attempt count and error, and the resend sweep (every 5 minutes) tries again.
- With a broker, `delivery_send_task` retries transient errors (SmsError, OSError incl. SMTP errors) a few times
  with backoff, finishing well inside the sweep's 10-minute threshold; the sweep takes over after that. The
  database row is the record: a delivery lost with Redis is still PENDING and is resent.
- After settings.GONGZHI_NOTIFICATION_MAX_ATTEMPTS attempts a delivery is FAILED (visible to operators).
- A claim is a compare-and-set on the attempt counter, so two copies of the same task that run at once send once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import Delivery, Notification
from governance.sms import SmsError, get_sms_backend

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (SmsError, OSError)  # smtplib.SMTPException and socket errors are OSErrors


def notify(*, recipients, kind: str, title: str, body: str = "", url: str = "", obj=None, dedupe_key: str,
           email: bool = True, sms: bool = False) -> list[Notification]:
    """One inbox row per recipient (once per dedupe_key), with e-mail/SMS deliveries where an address exists."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None and u.is_active}.values():
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, kind=kind, title=str(title)[:200], body=str(body), url=url[:300],
                    object_type=obj._meta.label_lower if obj is not None else "",
                    object_id=str(obj.pk) if obj is not None else "", dedupe_key=dedupe_key[:200])
        except IntegrityError:
            continue  # already notified: a repeated sweep or task is harmless
        created.append(note)
        channels = []
        if email and user.email:
            channels.append((Delivery.Channel.EMAIL, user.email))
        if sms and user.phone:
            channels.append((Delivery.Channel.SMS, user.phone))
        for channel, address in channels:
            delivery = Delivery.objects.create(notification=note, channel=channel, address=address)
            transaction.on_commit(lambda pk=delivery.pk: _enqueue(pk), robust=True)
    return created


def _enqueue(delivery_id: int) -> None:
    """Send now (eager, no broker) or hand to a worker. Never raises: the row stays PENDING for the sweep."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        try:
            delivery_send(delivery_id=delivery_id)
        except Exception:  # noqa: BLE001 - a gateway failure must not fail the user's request
            logger.warning("delivery %s failed; the resend sweep will retry", delivery_id, exc_info=True)
        return
    from governance.tasks import delivery_send_task

    try:
        delivery_send_task.delay(delivery_id)
    except Exception:  # noqa: BLE001 - broker down: the row is the record, the resend sweep sends it later
        logger.warning("could not enqueue delivery %s; the resend sweep will retry", delivery_id, exc_info=True)


def delivery_send(*, delivery_id: int) -> Delivery | None:
    """Claim, send, record. Raises SmsError/OSError on a transient failure (the task retries with backoff)."""
    delivery = Delivery.objects.select_related("notification").filter(pk=delivery_id).first()
    if delivery is None or delivery.state != Delivery.State.PENDING:
        return delivery  # gone, already sent or given up: nothing to do
    # Compare-and-set on the attempt counter: of two copies running at once, one sends.
    claimed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING,
                                      attempts=delivery.attempts).update(attempts=delivery.attempts + 1)
    if not claimed:
        delivery.refresh_from_db()
        return delivery
    delivery.attempts += 1
    note = delivery.notification
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            send_mail(note.title, f"{note.body}\n\n{note.url}".strip(), settings.DEFAULT_FROM_EMAIL,
                      [delivery.address], fail_silently=False)
        else:
            get_sms_backend().send(phone=delivery.address, text=f"{note.title} {note.body}"[:300],
                                   idempotency_key=f"delivery-{delivery.pk}")
    except Exception as exc:
        final = delivery.attempts >= settings.GONGZHI_NOTIFICATION_MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            state=Delivery.State.FAILED if final else Delivery.State.PENDING)
        if final:
            logger.error("delivery %s failed for good after %s attempts", delivery.pk, delivery.attempts)
            delivery.refresh_from_db()
            return delivery
        raise
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), last_error="")
    delivery.refresh_from_db()
    return delivery


def deliveries_resend_pending(*, now=None, older_than_minutes: int = 10, batch_size: int = 200) -> int:
    """Re-enqueue deliveries still pending well after creation (their task was lost with Redis or a worker, or
    its retries ran out while the gateway was down)."""
    now = now or timezone.now()
    ids = list(Delivery.objects.filter(state=Delivery.State.PENDING,
                                       attempts__lt=settings.GONGZHI_NOTIFICATION_MAX_ATTEMPTS,
                                       created_at__lt=now - timedelta(minutes=older_than_minutes))
               .order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size])
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def notification_mark_read(*, user, notification_id: int) -> int:
    """Mark one of the user's own notifications read; returns 1 if it changed, 0 otherwise."""
    return Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now())


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
