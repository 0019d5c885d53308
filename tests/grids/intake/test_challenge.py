"""grids.services.challenge: the self-hosted sum that guards the public form."""

import datetime

import pytest
from django.utils import timezone

from grids.services.challenge import ChallengeError, challenge_check, challenge_new, parse_answer


def test_right_answer_passes_once():
    challenge = challenge_new()
    challenge_check(token=challenge.token, answer=str(challenge.answer))
    with pytest.raises(ChallengeError) as exc:
        challenge_check(token=challenge.token, answer=str(challenge.answer))
    assert exc.value.code == "used"


def test_the_page_does_not_carry_the_answer():
    challenge = challenge_new()
    payload = challenge.token.split(":")[0]
    import base64
    import json

    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert set(decoded) == {"n", "d"} and str(challenge.answer) != decoded["d"]


def test_a_wrong_answer_burns_the_token_so_answers_cannot_be_tried_in_turn():
    challenge = challenge_new()
    with pytest.raises(ChallengeError) as exc:
        challenge_check(token=challenge.token, answer=str(challenge.answer + 1))
    assert exc.value.code == "wrong"
    with pytest.raises(ChallengeError) as exc:
        challenge_check(token=challenge.token, answer=str(challenge.answer))
    assert exc.value.code == "used"


def test_an_expired_token_is_refused(settings):
    settings.GONGZHI_INTAKE_CHALLENGE_MAX_AGE = 600
    old = challenge_new(now=timezone.now() - datetime.timedelta(minutes=11))
    with pytest.raises(ChallengeError) as exc:
        challenge_check(token=old.token, answer=str(old.answer))
    assert exc.value.code == "expired"
    fresh = challenge_new(now=timezone.now() - datetime.timedelta(minutes=9))
    challenge_check(token=fresh.token, answer=str(fresh.answer))


@pytest.mark.parametrize("token", ["", "garbage", "eyJuIjoiYSIsImQiOiJiIn0:1abcde:forged"])
def test_a_missing_or_forged_token_is_refused(token):
    with pytest.raises(ChallengeError) as exc:
        challenge_check(token=token, answer="3")
    assert exc.value.code in {"missing", "invalid"}
    assert exc.value.message


@pytest.mark.parametrize(("text", "value"), [
    ("7", 7), (" 12 ", 12), ("１２", 12), ("七", 7), ("十", 10), ("十二", 12), ("二十", 20), ("两", 2),
    ("", None), ("abc", None), ("1.5", None), ("十十", None), ("99999", None),
])
def test_answers_in_digits_full_width_or_chinese_numerals(text, value):
    assert parse_answer(text) == value
