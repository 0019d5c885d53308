import os
import shutil

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A clean cache per test. On Redis each pytest-xdist worker gets a database of its own (8 + worker number),
    so one worker's clear() never wipes another's rate-limit counters mid-test."""
    from django.core.cache import cache

    location = settings.CACHES["default"].get("LOCATION", "")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache") and location:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
        number = int(worker[2:]) if worker[2:].isdigit() else 0
        base = location.rsplit("/", 1)[0] if location.count("/") > 2 else location
        settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": f"{base}/{8 + number % 8}"}}
    cache.clear()


@pytest.fixture
def tree(db):
    from tests.factories import make_tree

    return make_tree()


@pytest.fixture
def count_queries():
    """count_queries(fn) -> number of SQL queries fn() ran."""

    def run(fn) -> int:
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx.captured_queries)

    return run


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as user (through the real session machinery)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make


@pytest.fixture(scope="session")
def browser():
    """One Debian chromium for the whole run (Playwright allows one sync driver per thread)."""
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
