"""Serial numbers: district, year, sequence and a random tail from Crockford's alphabet; what people type (spaces,
lower case, O for 0, I or L for 1) is read back to the canonical form; anything else is not a serial."""

import re

import pytest

from listings.certificates.serials import ALPHABET, format_serial, normalize_serial, random_part


def test_format():
    serial = format_serial(district_code="110199", year=2026, sequence=123, random="7KQ4MZ")
    assert serial == "110199-2026-000123-7KQ4MZ"


def test_random_tails_use_the_unambiguous_alphabet_and_differ():
    tails = {random_part() for _ in range(200)}
    assert len(tails) > 195
    assert all(re.fullmatch(f"[{ALPHABET}]{{6}}", tail) for tail in tails)
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize(("typed", "expected"), [
    ("110199-2026-000123-7KQ4MZ", "110199-2026-000123-7KQ4MZ"),
    (" 110199 2026 000123 7kq4mz ", "110199-2026-000123-7KQ4MZ"),
    ("11019920260001237KQ4MZ", "110199-2026-000123-7KQ4MZ"),
    ("110199—2026—000123—7KQ4MZ", "110199-2026-000123-7KQ4MZ"),
    ("110199-2026-000123-7KQ4MO", "110199-2026-000123-7KQ4M0"),   # O read as 0
    ("110199-2026-000123-7KQ4ML", "110199-2026-000123-7KQ4M1"),   # L read as 1
    ("1IO199-2026-000123-7KQ4MZ", "110199-2026-000123-7KQ4MZ"),
])
def test_normalize(typed, expected):
    assert normalize_serial(typed) == expected


@pytest.mark.parametrize("typed", ["", "abc", "110199-2026-000123", "110199-2026-000123-7KQ4MZZ",
                                   "110199-2026-000123-7KQ4MU", "A10199-2026-000123-7KQ4MZ", "<script>", None])
def test_not_a_serial(typed):
    assert normalize_serial(typed) is None
