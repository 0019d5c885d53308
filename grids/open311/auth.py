"""Open311 API keys: configuration, not data (no model, no migration).

    GONGZHI_OPEN311_KEYS = env.dict("GONGZHI_OPEN311_KEYS", default={})     # governance/settings.py
    GONGZHI_OPEN311_KEYS=k3Vq…32+random chars…=wechat-miniprogram,Zp9…=partner-app   # .env

maps each key to the name of the client that holds it (the name is recorded on every case the client submits).
Generate a key with `python -c "import secrets; print(secrets.token_urlsafe(32))"`; revoke it by deleting it from
the environment and restarting. Only POST requests needs a key (GeoReport v2: every GET is public)."""

import hmac

from django.conf import settings


def configured_keys() -> dict[str, str]:
    keys = getattr(settings, "GONGZHI_OPEN311_KEYS", {}) or {}
    return {str(key): str(name) for key, name in dict(keys).items() if key}


def client_for_key(api_key: str | None) -> str | None:
    """The client's name when `api_key` is a configured key, else None.

    Every configured key is compared (constant time per key, no early exit), so the answer time does not tell
    how close a guess was or which key it resembled."""
    if not api_key:
        return None
    presented = api_key.encode("utf-8", "replace")
    found = None
    for key, name in configured_keys().items():
        if hmac.compare_digest(presented, key.encode("utf-8", "replace")):
            found = name or "unnamed client"
    return found
