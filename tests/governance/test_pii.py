import datetime

import pytest
from django.core.exceptions import ValidationError

from governance.lib import pii
from tests.factories import make_id_number

VALID = "11010519491231002X"  # the published GB 11643 example


def test_known_valid_id_passes():
    assert pii.id_number_problem(VALID) is None
    pii.validate_id_number(VALID.lower())  # a lower-case x is accepted and normalised


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("110105194912310021", "checksum"),
        ("11010519491231002", "format"),
        ("1101051949123100XX", "format"),
        ("99010519491231002X", "region"),
        ("110105194913310020", "birth_date"),
        ("110105299912310029", "birth_date"),
        ("", "format"),
        ("<script>", "format"),
    ],
)
def test_invalid_ids_name_their_problem(value, problem):
    assert pii.id_number_problem(value) == problem
    with pytest.raises(ValidationError):
        pii.validate_id_number(value)


def test_generated_ids_are_valid():
    for _ in range(200):
        assert pii.id_number_problem(make_id_number()) is None


def test_birth_date_and_gender_from_id():
    assert pii.birth_date_from_id(VALID) == datetime.date(1949, 12, 31)
    assert pii.gender_from_id(VALID) == "F"


def test_masking():
    assert pii.mask_id_number(VALID) == "1101**********002X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳娜娜") == "欧***"


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "010-62345678", "075512345678"])
def test_valid_phones(phone):
    pii.validate_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23812345678", "abc", "1381234567x", ""])
def test_invalid_phones(phone):
    with pytest.raises(ValidationError):
        pii.validate_phone(phone)


def test_encryption_round_trip_and_randomised():
    a, b = pii.encrypt(VALID), pii.encrypt(VALID)
    assert a != b and VALID not in a
    assert pii.decrypt(a) == VALID == pii.decrypt(b)


def test_blind_index_is_keyed_and_stable(settings):
    first = pii.blind_index(VALID)
    assert first == pii.blind_index(VALID) and VALID not in first
    settings.PII_HASH_KEY = "another-key-another-key-another-key-0"
    assert pii.blind_index(VALID) != first
