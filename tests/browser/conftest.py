"""Real-browser tests: Playwright driving Debian's chromium (never a downloaded browser).

Skipped with a clear reason where /usr/bin/chromium is absent; `make test` installs it when it can."""

import os

import pytest

from tests.conftest import CHROMIUM


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="Debian chromium not installed (apt-get install chromium)"))


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 412, "height": 915})  # a phone
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
