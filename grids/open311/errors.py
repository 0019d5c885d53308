"""The GeoReport v2 error format: a list of {code, description}, XML <errors><error><code/><description/>.

HTTP status per the spec: 404 for a resource that does not exist, 403 for a missing or wrong api_key, 400 for
anything else (the body's `code` may be more specific, e.g. 405 or 415). The one addition is 429 when a client
is throttled. Nothing answers 500: an unexpected failure is logged and answered 400 "general error", which is
what the spec prescribes for "the back-end is down".

This is NOT governance.lib.api_errors (our own API's {code, message, extra} shape)."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response

logger = logging.getLogger("grids.open311")

# Our internal field names -> the Open311 parameter a client sent.
PARAMETER_NAMES = {
    "reporter_name": "first_name/last_name",
    "reporter_phone": "phone",
    "address": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "grid": "address_id",
    "category": "service_code",
    "request_type": "attribute[request_type]",
    "title": "description",
}


class Open311Error(Exception):
    status_code = 400

    def __init__(self, description, *, code=None, status_code=None):
        super().__init__(str(description))
        if status_code is not None:
            self.status_code = status_code
        self.errors = [{"code": code or self.status_code, "description": str(description)}]


class BadRequest(Open311Error):
    status_code = 400


class Forbidden(Open311Error):
    status_code = 403


class NotFound(Open311Error):
    status_code = 404


def _printable(text: str) -> str:
    return str(text).encode("utf-8", "replace").decode("utf-8")


def _flatten(detail, prefix="") -> list[str]:
    """DRF/Django validation details -> ["field: message", ...]."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = PARAMETER_NAMES.get(key, key)
            label = "" if name in ("non_field_errors", "__all__") else name
            out.extend(_flatten(value, label))
        return out
    if isinstance(detail, list | tuple):
        return [line for item in detail for line in _flatten(item, prefix)]
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def error_response(errors: list[dict], status_code: int, headers=None) -> Response:
    body = [{"code": int(e["code"]), "description": _printable(e["description"])} for e in errors]
    response = Response(body, status=status_code, headers=headers)
    response.xml_root, response.xml_item = "errors", "error"
    return response


def open311_exception_handler(exc, context):
    if isinstance(exc, Open311Error):
        return error_response(exc.errors, exc.status_code)
    if isinstance(exc, exceptions.ValidationError | DjangoValidationError):
        detail = exc.detail if isinstance(exc, exceptions.ValidationError) else (
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        return error_response([{"code": 400, "description": line} for line in _flatten(detail)], 400)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return error_response([{"code": 404, "description": _("Not found. 未找到。")}], 404)
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotAuthenticated | DjangoPermissionDenied):
        return error_response([{"code": 403, "description": _("Forbidden. 无权访问。")}], 403)
    if isinstance(exc, exceptions.Throttled):
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait else None
        return error_response([{"code": 429, "description": _("Too many requests; slow down. 请求过于频繁。")}],
                              429, headers)
    if isinstance(exc, exceptions.APIException):
        # 405 method not allowed, 415 unsupported media type, 400 parse error: HTTP 400, the precise code in the body.
        return error_response([{"code": exc.status_code, "description": str(exc.detail)}], 400)
    if isinstance(exc, SuspiciousOperation):
        return error_response([{"code": 400, "description": _("The request is too large or malformed. 请求过大或格式有误。")}],
                              400)
    logger.exception("Open311 request failed")
    return error_response([{"code": 400, "description": _("General error: the request could not be processed now; "
                                                          "please try again later. 暂时无法处理，请稍后重试。")}], 400)
