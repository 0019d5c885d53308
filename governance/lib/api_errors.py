"""The one API error shape: {code, message, extra}."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from governance.lib.exceptions import ApplicationError


def _error(code, message, extra=None, status_code=400):
    return Response({"code": code, "message": _printable(str(message)), "extra": _printable(extra or {})},
                    status=status_code)


def _printable(data):
    """Error messages may echo the input ('"x" is not a valid choice'); a lone surrogate sent as "\\ud800" in
    JSON would then make the UTF-8 renderer fail with a 500. Replace such characters."""
    if isinstance(data, dict):
        return {_printable(key): _printable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_printable(value) for value in data]
    if isinstance(data, str):
        return data.encode("utf-8", "replace").decode("utf-8")
    return data


def _field_errors(data) -> dict:
    """{field: [message, ...]}; model-level errors ("__all__") and bare lists go under non_field_errors."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not isinstance(data, dict):
        return {non_field: data if isinstance(data, list) else [data]}
    return {(non_field if key == NON_FIELD_ERRORS else key): value for key, value in data.items()}


def api_exception_handler(exc, context):
    """Every API error answers {code, message, extra}."""
    if isinstance(exc, ApplicationError):
        return _error(exc.code, exc.message, exc.extra, exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return _error("not_found", _("Not found. 未找到。"), status_code=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"code": "invalid", "message": _("Invalid input. 输入有误。"),
                         "extra": {"fields": _printable(_field_errors(response.data))}}
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"code": code, "message": _printable(str(detail)), "extra": {}}
    return response
