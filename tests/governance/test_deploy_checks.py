"""Production settings: `check --deploy` passes with zero warnings, and missing secrets stop start-up."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _production_env(**overrides):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "GONGZHI_", "DATABASE_URL", "CELERY_", "REDIS_URL"))}
    env.update({
        "DJANGO_ENV": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "gongzhi.example.gov.cn",
        "GONGZHI_PII_KEY": base64.b64encode(os.urandom(32)).decode(),
        "GONGZHI_PII_HASH_KEY": secrets.token_urlsafe(48),
    })
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a local .env would supply the variables under test")
def test_check_deploy_passes_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a local .env would supply the variables under test")
@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "GONGZHI_PII_KEY"])
def test_production_refuses_to_start_without_secrets(missing):
    result = _manage("check", env=_production_env(**{missing: None}))
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.skipif((BASE_DIR / ".env").exists(), reason="a local .env would supply the variables under test")
def test_production_refuses_the_development_secret():
    result = _manage("check", env=_production_env(DJANGO_SECRET_KEY="short"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
