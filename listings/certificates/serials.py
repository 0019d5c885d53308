"""Serial numbers of issued certificates: `DDDDDD-YYYY-NNNNNN-RRRRRR`.

District code, year of issue, a sequence per district and year (so the register reads in order), and six random
characters from Crockford's base-32 alphabet (no I, L, O, U): about a billion possibilities per sequence number, so a
serial printed on one certificate tells nobody the serial of the next one, and the public verification page cannot
be walked. No ORM here; the sequence is drawn by the service."""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 6
_COMPACT = re.compile(r"^(\d{6})(\d{4})(\d{6})([0-9A-Z]{6})$")
# What people type instead: O for 0, I and L for 1 (Crockford's reading rules).
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def random_part(length: int = RANDOM_LENGTH) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def format_serial(*, district_code: str, year: int, sequence: int, random: str | None = None) -> str:
    return f"{district_code}-{year:04d}-{sequence:06d}-{random or random_part()}"


def normalize_serial(value: str) -> str | None:
    """The canonical serial for what someone typed (spaces, dashes, lower case, O/I/L), or None if it cannot be one."""
    compact = re.sub(r"[^0-9A-Za-z]", "", value or "").upper().translate(_READ_AS)
    match = _COMPACT.match(compact)
    if match is None or any(ch not in ALPHABET for ch in match.group(4)):
        return None
    return "-".join(match.groups())
