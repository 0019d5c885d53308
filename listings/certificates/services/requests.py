"""Writes of the certificates app: asking (online or at the office), issuing, refusing and revoking.

Each service is one transaction, re-checks who may act (community staff of the request's community), refuses a
wrong-state call with a clear message, appends one event row per change and sends notifications after commit.
Bad input raises django.core.exceptions.ValidationError with a message per field (bilingual), and nothing is saved.

The lists decide what may be issued, on the day it is issued:
- an item of a certificate list (purpose CERTIFICATE) of the community's district, in force that day: issuable;
- an item of the list of certificates committees must not issue (CERTIFICATE_FORBIDDEN): the request is kept,
  refused at once, with the office that issues it instead (the printed refusal notice names it);
- anything else (unknown, another district's, suspended, repealed, expired, a task list's item): refused as input.
"""

import datetime

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.pii import blind_index, normalize_id_number, normalize_phone, validate_id_number, validate_phone
from governance.lib.transitions import ensure_transition
from governance.models import Role, User
from governance.services.notifications import notify
from grids.models import Region
from listings.certificates.models import (
    Certificate,
    CertificateRequest,
    CertificateRequestEvent,
    CertificateSerialCounter,
    RequestChannel,
    RequestStatus,
)
from listings.certificates.permissions import can_enter_walk_in, can_handle, is_resident
from listings.certificates.selectors import (
    CERTIFICATE_PURPOSES,
    community_for,
    community_of_region,
    district_of,
    request_list,
)
from listings.certificates.serials import format_serial
from listings.models import ListItem, ListPurpose, in_force_q

MAX_LENGTHS = {"purpose": 200, "applicant_name": 64, "content": 2000, "reason": 1000}

UNKNOWN_ITEM = gettext_lazy("Choose a certificate from the list in force for this community. "
                            "请从本社区现行的证明事项清单中选择。")
NO_COMMUNITY = gettext_lazy("Your account is not linked to a community yet, so the request cannot be sent online. "
                            "Please ask at your community office. 您的账号尚未关联社区，请到社区办理。")
ACT_DENIED = gettext_lazy("Only staff of the request's community may issue, refuse or revoke it. "
                          "只有本社区工作人员可以办理。")
STATE_MESSAGES = {
    RequestStatus.ISSUED: gettext_lazy("Only a request waiting to be checked can be issued. 只有待审核的申请可以开具。"),
    RequestStatus.REFUSED: gettext_lazy("Only a request waiting to be checked can be refused. "
                                        "只有待审核的申请可以不予开具。"),
    RequestStatus.REVOKED: gettext_lazy("Only an issued certificate can be revoked. 只有已开具的证明可以撤销。"),
}


# --- input ------------------------------------------------------------------------------------------------------------

def _text(errors: dict, field: str, value, *, required_message, max_length: int, required: bool = True) -> str:
    """Trimmed plain text; a message in `errors[field]` when it is missing, too long or contains markup."""
    value = (value or "").replace("\r\n", "\n").strip()
    value = "".join(ch for ch in value if ch in "\n\t" or ord(ch) >= 32)
    if not value:
        if required:
            errors[field] = str(required_message)
        return ""
    if len(value) > max_length:
        errors[field] = _("At most %(max)d characters (you wrote %(count)d). 最多%(max)d个字（现有%(count)d个）。") % {
            "max": max_length, "count": len(value)}
    elif "<" in value or ">" in value:
        errors[field] = _("Write plain text only, without the characters < and >. 请只填写文字，不要包含“<”“>”符号。")
    return value


def _item(*, item_id, district: Region, day: datetime.date) -> ListItem | None:
    """A certificate item (issuable or forbidden) of the district's lists in force on `day`, else None."""
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        return None
    return (ListItem.objects.select_related("kind", "responsible_department")
            .filter(in_force_q(day), pk=pk, kind__district=district, kind__purpose__in=CERTIFICATE_PURPOSES).first())


def other_office_of(item: ListItem) -> str:
    """The office a resident should go to for a certificate committees must not issue."""
    if item.issuing_office.strip():
        return item.issuing_office.strip()
    if item.responsible_department_id:
        return item.responsible_department.name
    return item.responsible_body.strip()


# --- events and notifications -------------------------------------------------------------------------------------

def _move(request: CertificateRequest, to: str, *, actor, note: str = "", fields=()) -> None:
    """Append the event and store the new status (the caller has checked the transition)."""
    CertificateRequestEvent.objects.create(request=request, from_status=request.status, to_status=to,
                                           actor=actor if getattr(actor, "pk", None) else None, note=note)
    request.status = to
    request.save(update_fields=["status", "updated_at", *fields])


def _ensure(request: CertificateRequest, to: str) -> None:
    try:
        ensure_transition(table=CertificateRequest.TRANSITIONS, current=request.status, target=to)
    except InvalidTransition as exc:
        raise InvalidTransition(str(STATE_MESSAGES[to]), extra=exc.extra) from None


def _detail_url(request: CertificateRequest) -> str:
    return reverse("certificates:request_detail", args=[request.pk])


def _notify_staff(request: CertificateRequest) -> None:
    staff = User.objects.filter(role=Role.COMMUNITY_STAFF, region=request.community, is_active=True)
    notify(recipients=list(staff), kind="certificate_requested",
           title=_("Certificate requested: %(item)s") % {"item": request.item.name},
           body=_("A resident asked online for a certificate; please check and issue or refuse it. "
                  "居民在线申请了证明，请核实后办理。"),
           url=_detail_url(request), obj=request, dedupe_key=f"certificate:{request.pk}:submitted")


def _notify_applicant(request: CertificateRequest, *, kind: str, title: str) -> None:
    if request.applicant_id is None:
        return
    notify(recipients=[request.applicant], kind=kind, title=title, url=_detail_url(request), obj=request,
           dedupe_key=f"certificate:{request.pk}:{kind}")


# --- asking -------------------------------------------------------------------------------------------------------------

def _submit(*, actor, channel: str, community: Region, applicant, item_id, purpose, applicant_name, id_number,
            phone, now) -> CertificateRequest:
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, str] = {}
    item = _item(item_id=item_id, district=district_of(community), day=today)
    if item is None:
        errors["item"] = str(UNKNOWN_ITEM)
    forbidden = item is not None and item.kind.purpose == ListPurpose.CERTIFICATE_FORBIDDEN
    purpose = _text(errors, "purpose", purpose, max_length=MAX_LENGTHS["purpose"],
                    required_message=_("Say what the certificate is for. 请填写证明用途。"))
    name = _text(errors, "applicant_name", applicant_name, max_length=MAX_LENGTHS["applicant_name"],
                 required_message=_("Enter the full name of the person the certificate is for. 请填写姓名。"))
    id_number = normalize_id_number(id_number)
    if id_number:
        try:
            validate_id_number(id_number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages[0]
    elif not forbidden:  # a refusal needs no ID number: collect no more than the answer needs
        errors["id_number"] = _("Enter the ID number of the person the certificate is for. 请填写身份证号。")
    phone = normalize_phone(phone)
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)

    request = CertificateRequest(
        community=community, item=item, purpose=purpose, channel=channel, applicant=applicant,
        applicant_name=name, applicant_id_number=id_number, applicant_id_number_hash=blind_index(id_number),
        applicant_phone=phone, entered_by=actor if channel == RequestChannel.WALK_IN else None)
    duplicate = ValidationError({"item": _("You already asked for this certificate and it is waiting to be checked. "
                                           "您已申请过该证明，正在审核中。")})
    if applicant is not None and CertificateRequest.objects.filter(
            applicant=applicant, item=item, status=RequestStatus.SUBMITTED).exists():
        raise duplicate
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:  # a double submit that raced the check above
        raise duplicate from None
    CertificateRequestEvent.objects.create(request=request, to_status=RequestStatus.SUBMITTED,
                                           actor=actor, note=request.get_channel_display())
    if forbidden:
        _refuse_forbidden(request, item=item, now=now)
    elif channel == RequestChannel.ONLINE:
        _notify_staff(request)
    return request


def _refuse_forbidden(request: CertificateRequest, *, item: ListItem, now) -> None:
    """Kept as refused at once: the national list forbids committees to issue it; the notice names the office."""
    office = other_office_of(item)
    reason = f"“{item.name}”属于居民委员会不得出具的证明事项。"
    if office:
        reason += f"请到{office}办理。"
    request.forbidden = True
    request.other_office = office
    request.refusal_reason = reason
    request.decided_at = now
    _ensure(request, RequestStatus.REFUSED)
    _move(request, RequestStatus.REFUSED, actor=None, note=reason,
          fields=("forbidden", "other_office", "refusal_reason", "decided_at"))


@transaction.atomic
def certificate_request_online(*, actor, item, purpose, applicant_name, id_number="", phone="",
                               now=None) -> CertificateRequest:
    """A resident asks online, for the community their account belongs to. `item` is a ListItem id."""
    if not is_resident(actor):
        raise PermissionDeniedError(_("Only residents ask for certificates online. 仅居民可在线申请证明。"))
    community = community_for(actor)
    if community is None:
        raise ValidationError({NON_FIELD_ERRORS: str(NO_COMMUNITY)})
    return _submit(actor=actor, channel=RequestChannel.ONLINE, community=community, applicant=actor, item_id=item,
                   purpose=purpose, applicant_name=applicant_name, id_number=id_number, phone=phone, now=now)


@transaction.atomic
def certificate_request_walk_in(*, actor, item, purpose, applicant_name, id_number="", phone="", community=None,
                                now=None) -> CertificateRequest:
    """Community staff enter a request made at the office (for their own community)."""
    if not can_enter_walk_in(actor):
        raise PermissionDeniedError(_("Only community staff enter requests made at the office. "
                                      "仅社区工作人员可以登记窗口申请。"))
    own = community_of_region(actor.region)
    if own is None or (community is not None and community.pk != own.pk):
        raise NotFoundOrForbidden(_("Community not found. 社区不存在或不在您的管辖范围内。"))
    return _submit(actor=actor, channel=RequestChannel.WALK_IN, community=own, applicant=None, item_id=item,
                   purpose=purpose, applicant_name=applicant_name, id_number=id_number, phone=phone, now=now)


# --- deciding -----------------------------------------------------------------------------------------------------------

def _for_action(*, actor, request_id) -> CertificateRequest:
    """The request, locked, if the actor may read it (else 404) and handle it (else 403)."""
    if not request_list(user=actor).filter(pk=request_id).exists():
        raise NotFoundOrForbidden(_("Certificate request not found. 证明申请不存在。"))
    request = (CertificateRequest.objects.select_for_update(of=("self",))
               .select_related("item__kind", "community", "applicant").get(pk=request_id))
    if not can_handle(actor, request):
        raise PermissionDeniedError(str(ACT_DENIED))
    return request


def _next_sequence(*, district_code: str, year: int) -> int:
    """The next number of the district's yearly sequence. The UPDATE holds the counter's row lock until commit, so
    two issuers never draw the same number (on SQLite, writers are serialised anyway)."""
    counter, _created = CertificateSerialCounter.objects.get_or_create(district_code=district_code, year=year)
    CertificateSerialCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return CertificateSerialCounter.objects.values_list("last", flat=True).get(pk=counter.pk)


@transaction.atomic
def certificate_issue(*, actor, request_id, content, now=None) -> CertificateRequest:
    """Check done: issue the certificate (serial, dates, the certified fact). Only an item on the certificate list
    in force on the day of issue can be issued. Issuing an issued request again changes nothing."""
    request = _for_action(actor=actor, request_id=request_id)
    if request.status == RequestStatus.ISSUED:
        return request
    _ensure(request, RequestStatus.ISSUED)
    errors: dict[str, str] = {}
    content = _text(errors, "content", content, max_length=MAX_LENGTHS["content"],
                    required_message=_("Write what the certificate certifies. 请填写证明内容。"))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    today = timezone.localdate(now)
    item = request.item
    district = district_of(request.community)
    if (item.kind.purpose != ListPurpose.CERTIFICATE or item.kind.district_id != district.pk
            or not item.in_force_on(today)):
        raise ValidationError({NON_FIELD_ERRORS: _(
            "“%(item)s” is not on the certificate list in force today, so it cannot be issued; refuse the request "
            "with a reason instead. “%(item)s”不在现行证明事项清单中，不能开具，请填写理由不予开具。") % {"item": item.name}})
    sequence = _next_sequence(district_code=district.code, year=today.year)
    certificate = Certificate(
        request=request, serial=format_serial(district_code=district.code, year=today.year, sequence=sequence),
        district_code=district.code, year=today.year, sequence=sequence, title=item.name, item_code=item.code,
        community=request.community, community_name=request.community.name, holder_name=request.applicant_name,
        content=content, purpose=request.purpose, issued_at=now, issued_on=today,
        valid_until=today + datetime.timedelta(days=settings.GONGZHI_CERTIFICATE_VALID_DAYS), issued_by=actor)
    certificate.full_clean(validate_unique=False)
    certificate.save()
    request.decided_by, request.decided_at = actor, now
    _move(request, RequestStatus.ISSUED, actor=actor, note=certificate.serial, fields=("decided_by", "decided_at"))
    _notify_applicant(request, kind="certificate_issued",
                      title=_("Your certificate is ready: %(item)s") % {"item": item.name})
    return request


@transaction.atomic
def certificate_refuse(*, actor, request_id, reason, now=None) -> CertificateRequest:
    """Not issued, with the reason the applicant reads (and the printed notice carries)."""
    request = _for_action(actor=actor, request_id=request_id)
    if request.status == RequestStatus.REFUSED:
        return request
    _ensure(request, RequestStatus.REFUSED)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, max_length=MAX_LENGTHS["reason"],
                   required_message=_("Give the reason for refusing. 请填写不予开具的理由。"))
    if errors:
        raise ValidationError(errors)
    request.refusal_reason = reason
    request.decided_by, request.decided_at = actor, now or timezone.now()
    _move(request, RequestStatus.REFUSED, actor=actor, note=reason,
          fields=("refusal_reason", "decided_by", "decided_at"))
    _notify_applicant(request, kind="certificate_refused",
                      title=_("Your certificate request was refused: %(item)s") % {"item": request.item.name})
    return request


@transaction.atomic
def certificate_revoke(*, actor, request_id, reason, now=None) -> CertificateRequest:
    """Withdraw an issued certificate; the public verification page says so from now on."""
    request = _for_action(actor=actor, request_id=request_id)
    if request.status == RequestStatus.REVOKED:
        return request
    _ensure(request, RequestStatus.REVOKED)
    errors: dict[str, str] = {}
    reason = _text(errors, "reason", reason, max_length=MAX_LENGTHS["reason"],
                   required_message=_("Give the reason for revoking. 请填写撤销理由。"))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    certificate = Certificate.objects.select_for_update().get(request=request)
    certificate.revoked_at, certificate.revoked_by, certificate.revocation_reason = now, actor, reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _move(request, RequestStatus.REVOKED, actor=actor, note=reason)
    _notify_applicant(request, kind="certificate_revoked",
                      title=_("Your certificate was revoked: %(item)s") % {"item": request.item.name})
    return request
