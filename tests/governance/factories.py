"""Helpers for the governance tests on top of tests/factories.py."""

from governance.models import AuditLog

STRONG_PASSWORD = "Gongzhi-Strong-2026!"  # 20 characters, 4 classes
WEAK_PASSWORDS = [
    "short1A!",             # too short
    "alllowercaseletters",  # one class only
    "lowercase123456",      # two classes only
    "123456789012",         # numeric, one class
]


def audit_rows(**filters):
    return list(AuditLog.objects.filter(**filters).order_by("id"))


def make_audit_rows(count: int, **fields) -> None:
    defaults = {"username": "someone", "action": AuditLog.Action.UPDATE, "object_type": "governance.user",
                "object_id": "1", "object_repr": "someone", "ip_address": "192.0.2.1"}
    defaults.update(fields)
    AuditLog.objects.bulk_create([AuditLog(**defaults) for _ in range(count)])
