"""Open311 input shapes (form parameters) and output shapes (services, definitions, requests).

Outputs read only fields, annotations and prefetched lists set by grids.open311.selectors: no query per row.
No output ever carries the reporter's name, phone or e-mail; free text (description, status notes, address) has
mobile, landline and ID numbers masked, and the reporter's own name masked, before it leaves the server."""

import re

from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from governance.lib.pii import mask_id_number, mask_name, mask_phone
from grids.models import Assignment, Incident, IncidentStatus, RequestType
from grids.open311.selectors import CLOSED_STATUSES

# --- helpers ----------------------------------------------------------------------------------------

_CONTROL = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")
_KEYWORD_SPLIT = re.compile(r"[,，、;；\s]+")


def w3c(value) -> str | None:
    """W3C ISO 8601 with the local offset, e.g. 2026-01-08T17:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def redact(text: str, *, name: str = "", phone: str = "") -> str:
    """Mask personal identifiers in free text that is about to be published."""
    if not text:
        return text or ""
    if phone and len(phone) >= 5:
        text = text.replace(phone, mask_phone(phone))
    if name and len(name.strip()) >= 2:
        text = text.replace(name.strip(), mask_name(name))
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE.sub(lambda m: m.group(0)[:4] + "****" + m.group(0)[-2:], text)


def keywords(raw: str) -> str:
    return ",".join(word for word in _KEYWORD_SPLIT.split(raw or "") if word)


def no_control_characters(value: str) -> None:
    if _CONTROL.search(value or ""):
        raise serializers.ValidationError(_("Control characters are not allowed. 不允许控制字符。"))


def text(max_length: int, **kwargs) -> serializers.CharField:
    """An optional text parameter; empty means absent (spec: "optional arguments passed empty are ignored")."""
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length,
                                 validators=[no_control_characters], **kwargs)


def service_notice(*, category, handle_by=None) -> str:
    if handle_by is not None:
        when = timezone.localtime(handle_by).strftime("%Y-%m-%d %H:%M")
        return _("Expected to be handled by %(when)s. 预计%(when)s前办结。") % {"when": when}
    return _("A unit signs for the case within %(sign)d hours and handles it within %(handle)d hours. "
             "承办单位将在%(sign)d小时内签收、%(handle)d小时内办结。") % {
        "sign": category.sign_for_hours, "handle": category.handle_hours}


# --- inputs -----------------------------------------------------------------------------------------

class RequestCreateInput(serializers.Serializer):
    """POST requests: the spec's form parameters (attribute[...] are read separately)."""

    jurisdiction_id = text(100)
    service_code = text(64)
    lat = text(32)
    long = text(32)
    address_string = text(200)
    address_id = text(32)
    email = text(254)
    device_id = text(64)
    account_id = text(64)
    first_name = text(50)
    last_name = text(50)
    phone = text(32)
    description = text(4000)
    media_url = text(1000)

    def validate_media_url(self, value):
        if value:
            try:
                URLValidator(schemes=["http", "https"])(value)
            except Exception:  # noqa: BLE001 - Django's ValidationError; reported as a field error
                raise serializers.ValidationError(_("Enter an http or https URL. 请输入http或https链接。"))
        return value

    def validate(self, attrs):
        lat, lon = attrs.get("lat", ""), attrs.get("long", "")
        if bool(lat) != bool(lon):
            raise serializers.ValidationError({"lat": _("Send both lat and long. 请同时提供纬度和经度。")})
        if lat:
            try:
                attrs["lat_value"], attrs["long_value"] = float(lat), float(lon)
            except ValueError:
                raise serializers.ValidationError({"lat": _("lat and long must be decimal degrees (WGS84). "
                                                            "经纬度须为十进制度数。")})
            from grids.open311.geo import valid_point

            if not valid_point(attrs["lat_value"], attrs["long_value"]):
                raise serializers.ValidationError({"lat": _("lat must be within ±90 and long within ±180. "
                                                            "经纬度超出范围。")})
        return attrs


class RequestQueryInput(serializers.Serializer):
    """GET requests: the spec's filters plus the page/page_size extension."""

    jurisdiction_id = text(100)
    service_request_id = text(20000)
    service_code = text(2000)
    start_date = text(40)
    end_date = text(40)
    status = text(20)
    page = text(10)
    page_size = text(10)


# --- outputs ----------------------------------------------------------------------------------------

class ServiceSerializer(serializers.Serializer):
    """grids.open311.selectors.Service -> a GeoReport `service`."""

    def to_representation(self, service):
        category = service.category
        return {
            "service_code": category.code,
            "service_name": category.name,
            "description": " › ".join(service.breadcrumb),
            "metadata": True,
            "type": "realtime",
            "keywords": keywords(category.keywords),
            "group": service.group,
        }


def request_type_attribute() -> dict:
    return {
        "variable": True,
        "code": "request_type",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": _("Optional; %(default)s when not given. 可不选，默认为“%(default)s”。") % {
            "default": RequestType(RequestType.HELP).label},
        "order": 1,
        "description": _("What kind of request is this? 诉求类型"),
        "values": [{"key": key, "name": str(label)} for key, label in RequestType.choices],
    }


class ServiceDefinitionSerializer(serializers.Serializer):
    """A `service_definition`: one optional request_type list, and the registering conditions as display text."""

    def to_representation(self, service):
        category = service.category
        attributes = [request_type_attribute()]
        if category.opening_conditions.strip():
            attributes.append({
                "variable": False,
                "code": "opening_conditions",
                "datatype": "text",
                "required": False,
                "datatype_description": None,
                "order": 2,
                "description": category.opening_conditions.strip(),
                "values": [],
            })
        return {"service_code": category.code, "attributes": attributes}


def open311_status(incident: Incident) -> str:
    return "closed" if incident.status in CLOSED_STATUSES else "open"


def _lead_unit(incident: Incident) -> str:
    leads = getattr(incident, "open311_leads", [])
    for lead in leads:  # newest first; an active lead wins over a finished one
        if lead.state in (Assignment.State.PENDING, Assignment.State.SIGNED):
            return _unit_name(lead)
    return _unit_name(leads[0]) if leads else ""


def _unit_name(assignment: Assignment) -> str:
    if assignment.department_id:
        return assignment.department.name
    return assignment.region.name if assignment.region_id else ""


class RequestSerializer(serializers.Serializer):
    """An incident as a GeoReport `request`. A 举报 (tip-off) keeps its content and place confidential."""

    def to_representation(self, incident):
        confidential = incident.request_type == RequestType.REPORT
        name, phone = incident.reporter_name or "", incident.reporter_phone or ""

        def public(value):
            return redact(value, name=name, phone=phone)

        return {
            "service_request_id": incident.tracking_code,
            "status": open311_status(incident),
            "status_notes": public(self.status_notes(incident)),
            "service_name": incident.category.name,
            "service_code": incident.category.code,
            "description": "" if confidential else public(incident.description),
            "agency_responsible": _lead_unit(incident),
            "service_notice": self.notice(incident),
            "requested_datetime": w3c(incident.created_at),
            "updated_datetime": w3c(incident.updated_at),
            "expected_datetime": w3c(incident.handle_by),
            "address": "" if confidential else public(incident.address),
            "address_id": incident.grid.code,
            "zipcode": "",
            "lat": None if confidential or incident.latitude is None else float(incident.latitude),
            "long": None if confidential or incident.longitude is None else float(incident.longitude),
            "media_url": "",
        }

    @staticmethod
    def status_notes(incident: Incident) -> str:
        label = str(IncidentStatus(incident.status).label)
        reasons = getattr(incident, "open311_reasons", [])
        if incident.status == IncidentStatus.MERGED:
            # The lifecycle's merge note names the surviving case; fall back to naming it here.
            code = getattr(incident, "duplicate_code", None) or ""
            detail = reasons[0].note if reasons else ""
            if code and code not in detail:
                detail = " ".join(filter(None, [_("Merged into %(code)s. 已合并至%(code)s。") % {"code": code}, detail]))
        elif incident.status == IncidentStatus.REJECTED:
            detail = incident.answer or (reasons[0].note if reasons else "")
        else:
            detail = incident.answer
        return f"{label}: {detail}" if detail else label

    @staticmethod
    def notice(incident: Incident) -> str:
        if incident.status in CLOSED_STATUSES:
            return ""
        return service_notice(category=incident.category, handle_by=incident.handle_by)


class RequestCreatedSerializer(serializers.Serializer):
    def to_representation(self, item):
        incident, account_id = item
        return {
            "service_request_id": incident.tracking_code,
            "service_notice": service_notice(category=incident.category, handle_by=incident.handle_by),
            "account_id": account_id or None,
        }
