"""SMS backends. A district plugs in its gateway by naming a class in GONGZHI_SMS_BACKEND; the default prints
to the console (and the log), like Django's console e-mail backend."""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongzhi.sms")


class SmsError(Exception):
    """A transient gateway failure: the delivery is retried with backoff."""


class BaseSmsBackend:
    def send(self, *, phone: str, text: str, idempotency_key: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, *, phone: str, text: str, idempotency_key: str) -> None:
        logger.info("SMS to %s (%s): %s", phone, idempotency_key, text)


class MemorySmsBackend(BaseSmsBackend):
    """Keeps messages in `outbox` (tests)."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str, idempotency_key: str) -> None:
        type(self).outbox.append({"phone": phone, "text": text, "key": idempotency_key})


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.GONGZHI_SMS_BACKEND)()
