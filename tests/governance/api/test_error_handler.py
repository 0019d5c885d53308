"""governance.lib.api_errors: every error the services or Django raise becomes {code, message, extra}."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions

from governance.lib.api_errors import api_exception_handler
from governance.lib.exceptions import InvalidTransition, NotFoundOrForbidden, PermissionDeniedError


def _handle(exc):
    response = api_exception_handler(exc, {})
    assert set(response.data) == {"code", "message", "extra"}
    return response.status_code, response.data


def test_service_validation_error_with_fields():
    status, data = _handle(ValidationError({"id_number": "校验位错误", "__all__": "重复"}))
    assert status == 400 and data["code"] == "invalid"
    assert data["extra"]["fields"] == {"id_number": ["校验位错误"], "non_field_errors": ["重复"]}


def test_service_validation_error_without_fields():
    status, data = _handle(ValidationError("Unknown fields: x"))
    assert status == 400 and data["extra"]["fields"] == {"non_field_errors": ["Unknown fields: x"]}


@pytest.mark.parametrize(("exc", "status", "code"), [
    (PermissionDeniedError("no"), 403, "permission_denied"),
    (NotFoundOrForbidden("gone"), 404, "not_found"),
    (InvalidTransition("late"), 409, "invalid_transition"),
    (Http404(), 404, "not_found"),
    (PermissionDenied(), 403, "permission_denied"),
    (exceptions.NotAuthenticated(), 401, "not_authenticated"),  # APIView makes it 403 for session auth
    (exceptions.ParseError(), 400, "parse_error"),
    (exceptions.MethodNotAllowed("DELETE"), 405, "method_not_allowed"),
    (exceptions.NotFound("Invalid cursor"), 404, "not_found"),
])
def test_status_and_code(exc, status, code):
    assert _handle(exc)[0] == status and _handle(exc)[1]["code"] == code


def test_lone_surrogates_in_echoed_input_are_made_printable():
    _, data = _handle(exceptions.ValidationError({"kind": ['"\ud800" is not a valid choice.']}))
    data["extra"]["fields"]["kind"][0].encode("utf-8")  # would raise with the surrogate still in it


def test_url_names_live_in_the_api_namespace():
    assert reverse("api:resident-detail", args=[7]) == "/api/v1/residents/7/"
    assert reverse("api:region-tree") == "/api/v1/regions/tree/"
    assert reverse("api:worker-list") == "/api/v1/workers/"
    assert reverse("api:me") == "/api/v1/me/"
    assert reverse("api:audit-log-list") == "/api/v1/audit-log/"
