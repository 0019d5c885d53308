"""One error hierarchy for services; rendered as {code, message, extra} by the API and as messages in pages."""


class ApplicationError(Exception):
    code = "application_error"
    status_code = 400

    def __init__(self, message, *, extra=None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class InvalidInput(ApplicationError):
    code = "invalid"


class InvalidTransition(ApplicationError):
    code, status_code = "invalid_transition", 409


class PermissionDeniedError(ApplicationError):
    code, status_code = "permission_denied", 403


class NotFoundOrForbidden(ApplicationError):
    """Same answer for 'does not exist' and 'outside your jurisdiction' (Zulip)."""

    code, status_code = "not_found", 404
