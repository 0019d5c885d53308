"""Pages of the system administrator (accounts) and the security administrator (roles, grants, unlock).

Thin views: parse the form, call one service or selector, render. Anyone else gets 404 (platform rule)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from governance.filters import AccountFilterSet
from governance.forms.accounts import AccountActiveForm, AccountCreateForm, AccountEditForm, GrantForm, PasswordResetForm
from governance.lib.exceptions import ApplicationError, NotFoundOrForbidden
from governance.models import ADMIN_ROLES
from governance.selectors.accounts import (
    account_get,
    account_list,
    grant_account_get,
    grant_list,
    is_security_admin,
    is_system_admin,
)
from governance.services import accounts as account_services

PAGE_SIZE = 50


def _only(predicate):
    """Logged in, and allowed by `predicate`; otherwise 404 (never 403: the page does not exist for you)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise Http404
            try:
                return view(request, *args, **kwargs)
            except NotFoundOrForbidden:
                raise Http404 from None

        return wrapped

    return decorator


def add_service_error(form, exc: ApplicationError) -> None:
    """Show a service error next to the field it names (or above the form)."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# --- system administrator -----------------------------------------------------------------------------

@_only(is_system_admin)
@require_http_methods(["GET"])
def account_list_view(request):
    filterset = AccountFilterSet(request.GET or None, queryset=account_list(actor=request.user))
    page = _page(request, filterset.qs)
    return render(request, "governance/accounts/list.html", {
        "filterset": filterset, "page": page, "admin_roles": sorted(ADMIN_ROLES),
    })


@_only(is_system_admin)
@require_http_methods(["GET", "POST"])
def account_create_view(request):
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = account_services.account_create(
                actor=request.user, username=data["username"], full_name=data["full_name"], phone=data["phone"],
                password=data["password1"], region=data["region"], department=data["department"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Account %(username)s created. It has the resident role until the security "
                                        "administrator grants another. 账号已创建，角色由安全管理员设置。")
                             % {"username": account.username})
            return redirect("accounts:list")
    return render(request, "governance/accounts/form.html", {"form": form, "account": None})


@_only(is_system_admin)
@require_http_methods(["GET", "POST"])
def account_edit_view(request, user_id: int):
    account = account_get(actor=request.user, user_id=user_id)
    form = AccountEditForm(request.POST if request.method == "POST" else None, initial=AccountEditForm.initial_for(account))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.account_update(
                actor=request.user, user_id=account.pk, full_name=data["full_name"], phone=data["phone"],
                region=data["region"], department=data["department"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Account saved. 账号已保存。"))
            return redirect("accounts:list")
    return render(request, "governance/accounts/form.html", {
        "form": form, "account": account, "protected": account_services.is_protected_account(account),
    })


@_only(is_system_admin)
@require_POST
def account_active_view(request, user_id: int):
    account = account_get(actor=request.user, user_id=user_id)
    form = AccountActiveForm(request.POST)
    form.is_valid()
    is_active = bool(form.cleaned_data.get("is_active"))
    try:
        account_services.account_set_active(actor=request.user, user_id=account.pk, is_active=is_active)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if is_active:
            messages.success(request, _("Account %(username)s reactivated. 账号已启用。") % {"username": account.username})
        else:
            messages.success(request, _("Account %(username)s deactivated. 账号已停用。") % {"username": account.username})
    return redirect("accounts:list")


@_only(is_system_admin)
@require_http_methods(["GET", "POST"])
def account_password_view(request, user_id: int):
    account = account_get(actor=request.user, user_id=user_id)
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_reset_password(actor=request.user, user_id=account.pk,
                                                    password=form.cleaned_data["password1"])
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The password of %(username)s was reset. Tell the user in person. "
                                        "密码已重置，请当面告知本人。") % {"username": account.username})
            return redirect("accounts:list")
    return render(request, "governance/accounts/password.html", {
        "form": form, "account": account, "protected": account_services.is_protected_account(account),
    })


# --- security administrator ---------------------------------------------------------------------------

@_only(is_security_admin)
@require_http_methods(["GET"])
def grant_list_view(request):
    filterset = AccountFilterSet(request.GET or None, queryset=grant_list(actor=request.user))
    page = _page(request, filterset.qs)
    return render(request, "governance/accounts/grants.html", {"filterset": filterset, "page": page})


@_only(is_security_admin)
@require_http_methods(["GET", "POST"])
def grant_edit_view(request, user_id: int):
    account = grant_account_get(actor=request.user, user_id=user_id)
    form = GrantForm(request.POST if request.method == "POST" else None, initial=GrantForm.initial_for(account))
    if request.method == "POST" and form.is_valid():
        try:
            account_services.account_set_role(
                actor=request.user, user_id=account.pk, role=form.cleaned_data["role"],
                may_view_special_groups=form.cleaned_data["may_view_special_groups"],
            )
        except ApplicationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Role and grants of %(username)s saved. 角色和授权已保存。")
                             % {"username": account.username})
            return redirect("accounts:grants")
    return render(request, "governance/accounts/grant_form.html", {"form": form, "account": account})


@_only(is_security_admin)
@require_POST
def account_unlock_view(request, user_id: int):
    account = grant_account_get(actor=request.user, user_id=user_id)
    try:
        account_services.account_unlock(actor=request.user, user_id=account.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Account %(username)s unlocked. 账号已解锁。") % {"username": account.username})
    return redirect("accounts:grants")
