"""Personal data helpers: GB 11643 ID checksum, phone checks, masking, encryption at rest, blind index.

No ORM here. Keys come from settings (environment), never from the database.
"""

import base64
import datetime
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights 2^(17-i) mod 11, check characters by remainder.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# Province-level codes (first two digits) of GB/T 2260, stable since 1997.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_problem(value: str, *, today: datetime.date | None = None) -> str | None:
    """Return None when valid, else a stable reason code."""
    value = normalize_id_number(value)
    if not _ID_RE.match(value):
        return "format"
    if value[:2] not in PROVINCE_CODES:
        return "region"
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "birth_date"
    today = today or datetime.date.today()
    if birth > today or birth.year < 1880:
        return "birth_date"
    if id_check_char(value[:17]) != value[17]:
        return "checksum"
    return None


ID_PROBLEM_MESSAGES = {
    "format": _("An ID number has 18 characters: 17 digits and a final digit or X. 身份证号应为18位。"),
    "region": _("The ID number does not start with a valid province code. 身份证号地区码无效。"),
    "birth_date": _("The ID number contains an impossible birth date. 身份证号中的出生日期无效。"),
    "checksum": _("The ID number's check digit is wrong (GB 11643); please check for a typo. 身份证号校验位错误。"),
}


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(ID_PROBLEM_MESSAGES[problem], code=f"id_number_{problem}")


def birth_date_from_id(value: str) -> datetime.date:
    value = normalize_id_number(value)
    return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd is male)."""
    return "M" if int(normalize_id_number(value)[16]) % 2 else "F"


def normalize_phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if value.startswith("+86"):
        value = value[3:]
    return value


def validate_phone(value: str) -> None:
    value = normalize_phone(value)
    if not (_MOBILE_RE.match(value) or _LANDLINE_RE.match(value)):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline with area code, e.g. 13812345678 or 010-62345678. "
              "请输入11位手机号或带区号的固定电话。"),
            code="phone_invalid",
        )


def mask_id_number(value: str) -> str:
    value = normalize_id_number(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    value = normalize_phone(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; used wherever a name must appear on a public page."""
    value = (value or "").strip()
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""


# --- encryption at rest -------------------------------------------------------------------------
_PREFIX = "v1:"


@lru_cache(maxsize=4)
def _aead(key_b64: str) -> AESGCM:
    key = base64.b64decode(key_b64)
    if len(key) not in (16, 24, 32):
        raise ValueError("GONGZHI_PII_KEY must be base64 of 16, 24 or 32 bytes")
    return AESGCM(key)


def encrypt(plaintext: str) -> str:
    if plaintext in (None, ""):
        return plaintext
    nonce = os.urandom(12)
    ct = _aead(settings.PII_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode("utf-8"), b"gongzhi-pii")
    return _PREFIX + base64.b64encode(nonce + ct).decode("ascii")


def decrypt(token: str) -> str:
    if token in (None, "") or not token.startswith(_PREFIX):
        return token
    raw = base64.b64decode(token[len(_PREFIX):])
    return _aead(settings.PII_ENCRYPTION_KEY).decrypt(raw[:12], raw[12:], b"gongzhi-pii").decode("utf-8")


def blind_index(value: str) -> str:
    """Keyed hash for exact lookup and uniqueness of an encrypted value (HMAC-SHA256, hex)."""
    if not value:
        return ""
    key = settings.PII_HASH_KEY.encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
