"""Error pages that speak the user's language; API paths get the JSON error shape."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def _respond(request, status, message):
    if request.path.startswith("/api/") or request.path.startswith("/open311/"):
        codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}
        return JsonResponse({"code": codes[status], "message": message, "extra": {}}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _respond(request, 400, _("The request could not be understood. 请求无效。"))


def permission_denied(request, exception=None):
    return _respond(request, 403, _("You do not have permission for this. 您无权执行此操作。"))


def page_not_found(request, exception=None):
    return _respond(request, 404, _("This page does not exist or is outside your jurisdiction. 页面不存在或不在您的管辖范围内。"))


def server_error(request):
    return _respond(request, 500, _("Something went wrong on our side; it has been logged. 服务器出错，已记录。"))
