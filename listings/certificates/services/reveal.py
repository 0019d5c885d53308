"""Showing an applicant's full ID number or phone to the community staff handling the request: an explicit action,
one `reveal` audit row each (naming the field, never the value)."""

from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput, PermissionDeniedError
from governance.models import AuditLog
from governance.services.audit import audit_record
from listings.certificates.models import CertificateRequest
from listings.certificates.permissions import can_handle
from listings.certificates.services.common import audit_actor

REVEALABLE = ("applicant_id_number", "applicant_phone")


def applicant_reveal(*, actor, request: CertificateRequest, field: str) -> str:
    """`request` comes from the scoped selector; only its community's staff may unmask."""
    if field not in REVEALABLE:
        raise InvalidInput(_("This field cannot be revealed. 该字段不可查看明文。"), extra={"field": field})
    if not can_handle(actor, request):
        raise PermissionDeniedError(_("Only staff of the request's community may see this in full. "
                                      "只有本社区工作人员可以查看明文。"))
    audit_record(action=AuditLog.Action.REVEAL, obj=request, detail={"field": field}, actor=audit_actor(actor))
    return getattr(request, field) or ""
