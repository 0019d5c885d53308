#!/usr/bin/env python
"""Container health check: GET /healthz (database and broker) on the local gunicorn.

Sends the first allowed host name and X-Forwarded-Proto: https, as the TLS-terminating proxy does, so neither
ALLOWED_HOSTS nor the HTTPS redirect of production settings turns the check into a 400 or a 301."""

import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip() and h.strip() != "*"]
host = hosts[0].lstrip(".") if hosts else "localhost"
request = urllib.request.Request("http://127.0.0.1:8000/healthz",
                                 headers={"Host": host, "X-Forwarded-Proto": "https"})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed local http URL
        sys.exit(0 if response.status == 200 else 1)
except Exception:  # noqa: BLE001 - any failure means unhealthy
    sys.exit(1)
