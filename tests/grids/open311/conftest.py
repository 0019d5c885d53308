import logging
import traceback

import pytest

from tests.grids.open311.helpers import CLIENT_NAME, KEY, make_world


@pytest.fixture(autouse=True)
def _open311(settings):
    """Mount the server (tests' URLconf), configure one API key, no throttling unless a test asks for it."""
    settings.ROOT_URLCONF = "tests.grids.open311.urls"
    settings.GONGZHI_OPEN311_KEYS = {KEY: CLIENT_NAME}
    settings.GONGZHI_OPEN311_THROTTLE_RATE = ""


@pytest.fixture(autouse=True)
def _no_swallowed_failures(caplog):
    """The server answers unexpected failures with a 400 "general error" (never a 500) and logs them: a test
    must not pass because a bug was turned into a tidy 400."""
    caplog.set_level(logging.ERROR, logger="grids.open311")
    yield
    failures = [r for r in caplog.records if r.name == "grids.open311" and r.levelno >= logging.ERROR]
    if failures and not getattr(caplog, "open311_failures_expected", False):
        record = failures[0]
        trace = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else ""
        pytest.fail(f"Open311 logged an unexpected failure: {record.getMessage()}\n{trace}")


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture(autouse=True)
def _english_descriptions(settings):
    """These tests read the English error descriptions; the platform's default language is zh-hans."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
