from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.request_context import actor_for, client_ip, reset_actor, set_actor
from governance.models import ADMIN_ROLES, AuditLog

SESSION_STARTED = "gongzhi_session_started"
SESSION_LAST_SEEN = "gongzhi_last_seen"


class AuditContextMiddleware:
    """Makes the acting user and address available to the audit log for the whole request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_actor(actor_for(getattr(request, "user", None), client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


def idle_limit_for(user):
    if getattr(user, "role", None) in ADMIN_ROLES:
        return settings.SESSION_ADMIN_IDLE_TIMEOUT
    return settings.SESSION_IDLE_TIMEOUT


class SessionTimeoutMiddleware:
    """Idle timeout (30 min; 15 for the three administrators) and an absolute limit (8 h), all settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.get(SESSION_STARTED)
            last_seen = request.session.get(SESSION_LAST_SEEN)
            if started is None:
                request.session[SESSION_STARTED] = started = now
            reason = None
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
                reason = "absolute"
            elif last_seen is not None and now - last_seen > idle_limit_for(user).total_seconds():
                reason = "idle"
            if reason:
                return self._expire(request, user, reason)
            request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def _expire(request, user, reason):
        from governance.services.audit import audit_record

        audit_record(action=AuditLog.Action.SESSION_EXPIRED, obj=user, detail={"reason": reason},
                     actor=actor_for(user, client_ip(request)))
        logout(request)
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"code": "session_expired",
                                 "message": _("Your session has expired. Please log in again."), "extra": {}},
                                status=401)
        messages.info(request, _("Your session has expired. Please log in again. 会话已超时，请重新登录。"))
        return redirect_to_login(request.get_full_path())
