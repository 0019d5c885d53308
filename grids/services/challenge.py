"""A self-hosted challenge for the public report form: a small sum ("3 加 4 等于几？"). No third-party captcha:
government intranets have no internet, and no resident's data may leave the platform.

The page carries the question and a hidden token. The token is signed (django.core.signing.TimestampSigner, so
it also carries its issue time) and holds a random nonce and an HMAC of (nonce, answer) keyed with the
SECRET_KEY: reading the page does not reveal the answer, and nobody can forge a token. Each token is good once
(the nonce is remembered in the cache for the token's lifetime, and a check burns it even when the answer is
wrong, so one token cannot be used to try every answer) and for `challenge_max_age()` seconds.

It stops scripted floods, not a determined human; the per-address rate limit is the other half.
Tests and special deployments switch it off with GONGZHI_INTAKE_CHALLENGE = False.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

SALT = "gongzhi.intake.challenge"
DEFAULT_MAX_AGE = 30 * 60  # elderly users type slowly and pick photos: half an hour
_USED_PREFIX = "intake-challenge-used:"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FULL_WIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def challenge_enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_INTAKE_CHALLENGE", True))


def challenge_max_age() -> int:
    return int(getattr(settings, "GONGZHI_INTAKE_CHALLENGE_MAX_AGE", DEFAULT_MAX_AGE))


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str
    answer: int  # server side only: never rendered


class ChallengeError(Exception):
    """code: missing | invalid | expired | used | wrong."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        if self.code == "expired":
            return _("The question has expired; please answer the new one below. 验证问题已过期，请回答下面的新问题。")
        if self.code == "used":
            return _("This question was already used; please answer the new one below. "
                     "该验证问题已使用过，请回答下面的新问题。")
        if self.code == "missing":
            return _("Please answer the question. 请回答验证问题。")
        return _("That answer is not right; please answer the new question below. 答案不正确，请回答下面的新问题。")


class _Signer(signing.TimestampSigner):
    def __init__(self, now: datetime | None = None):
        super().__init__(salt=SALT)
        self._now = now

    def timestamp(self):
        if self._now is None:
            return super().timestamp()
        return signing.b62_encode(int(self._now.timestamp()))


def _digest(nonce: str, answer: int) -> str:
    return salted_hmac(SALT, f"{nonce}:{answer}", algorithm="sha256").hexdigest()


def challenge_new(*, now: datetime | None = None) -> Challenge:
    a, b = 1 + secrets.randbelow(9), 1 + secrets.randbelow(9)
    if secrets.randbelow(2) and a > b:
        answer = a - b
        question = _("What is %(a)d minus %(b)d?") % {"a": a, "b": b}
    else:
        answer = a + b
        question = _("What is %(a)d plus %(b)d?") % {"a": a, "b": b}
    nonce = secrets.token_urlsafe(12)
    token = _Signer(now).sign_object({"n": nonce, "d": _digest(nonce, answer)})
    return Challenge(question=question, token=token, answer=answer)


def parse_answer(value) -> int | None:
    """'7', '７', '七', '十二', ' 12 ' -> int; anything else -> None."""
    text = str(value or "").strip().translate(_FULL_WIDTH).replace(" ", "")
    if text.isdigit() and len(text) <= 3:
        return int(text)
    if text and all(ch in _CN_DIGITS or ch == "十" for ch in text) and len(text) <= 3:
        if "十" not in text:
            return _CN_DIGITS[text] if len(text) == 1 else None
        tens, _sep, ones = text.partition("十")
        if (tens and tens not in _CN_DIGITS) or (ones and ones not in _CN_DIGITS):
            return None
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return None


def challenge_check(*, token: str, answer) -> None:
    """Raise ChallengeError unless `answer` solves the (unexpired, unused) challenge in `token`. Burns it."""
    if not token:
        raise ChallengeError("missing")
    try:
        data = _Signer().unsign_object(token, max_age=challenge_max_age())
    except signing.SignatureExpired:
        raise ChallengeError("expired") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ChallengeError("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("d"), str):
        raise ChallengeError("invalid")
    if not cache.add(_USED_PREFIX + data["n"], 1, timeout=challenge_max_age() + 60):
        raise ChallengeError("used")
    value = parse_answer(answer)
    if value is None:
        raise ChallengeError("missing" if not str(answer or "").strip() else "wrong")
    if not constant_time_compare(_digest(data["n"], value), data["d"]):
        raise ChallengeError("wrong")
