"""Certificate pages.

Residents: ask online (`request`), their own requests (`my_requests`), a request's page with the PDF or the refusal
notice. Community staff: the issuing register (`register`, with search and Excel export), walk-in entry (`walk_in`)
and a request's page with the issue / refuse / revoke actions. Street staff and district officials read the register
of their subtree. Anyone: the public verification page (`verify`, `verify_serial`), rate-limited per address.

Access, the same on every page: anonymous → login (except verification); an account with no business here, or a
request that is not yours or outside your jurisdiction → 404; in the jurisdiction but not allowed to act → 403.
Pages that show personal data are never cached."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from governance.lib.exceptions import ApplicationError, InvalidInput, NotFoundOrForbidden, PermissionDeniedError
from governance.lib.pii import mask_id_number, mask_name, mask_phone
from governance.lib.views import staff_page as _page  # logged in and allowed(user), else 404; errors → 404/403
from grids.views.common import pii_rows
from listings.certificates.forms import (
    IssueForm,
    ReasonForm,
    RegisterSearchForm,
    ResidentRequestForm,
    VerifyForm,
    WalkInForm,
)
from listings.certificates.models import CertificateRequest, CertificateState, RequestStatus
from listings.certificates.permissions import can_enter_walk_in, can_handle, can_read_register, is_resident
from listings.certificates.selectors import (
    access_request,
    certificate_by_serial,
    certificate_items,
    community_for,
    district_of,
    register_community_choices,
    register_item_choices,
    register_search,
    request_events,
    request_list,
)
from listings.certificates.serials import normalize_serial
from listings.certificates.services import documents, exports
from listings.certificates.services import requests as services
from listings.certificates.services.reveal import applicant_reveal

PAGE_SIZE = 25
SECRETS = ("applicant_id_number", "applicant_phone")
MASKS = {"applicant_id_number": mask_id_number, "applicant_phone": mask_phone}
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _any_reader(user) -> bool:
    return is_resident(user) or can_read_register(user)


resident_page = _page(is_resident)
staff_page = _page(can_read_register)
walk_in_page = _page(can_enter_walk_in)
request_page = _page(_any_reader)


def _paginate(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- resident: ask, and my requests -----------------------------------------------------------------------------------

def _request_form_page(request, form, *, community, issuable, forbidden, status=200):
    return render(request, "listings/certificates/request_form.html", {
        "form": form, "community": community, "issuable": issuable, "forbidden": forbidden,
    }, status=status)


@resident_page
@require_http_methods(["GET", "POST"])
def request_create(request):
    user = request.user
    community = community_for(user)
    if community is None:
        return render(request, "listings/certificates/request_form.html", {"no_community": True})
    issuable, forbidden = certificate_items(district=district_of(community), day=timezone.localdate())
    if request.method == "GET":
        form = ResidentRequestForm(issuable=issuable, forbidden=forbidden, initial={"applicant_name": user.full_name})
        return _request_form_page(request, form, community=community, issuable=issuable, forbidden=forbidden)
    form = ResidentRequestForm(request.POST, issuable=issuable, forbidden=forbidden)
    if form.is_valid():
        try:
            created = services.certificate_request_online(actor=user, **form.service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return _after_submit(request, created)
    return _request_form_page(request, form, community=community, issuable=issuable, forbidden=forbidden, status=400)


def _after_submit(request, created: CertificateRequest):
    if created.status == RequestStatus.REFUSED:
        messages.warning(request, _("The community may not issue this certificate; the notice below says where to "
                                    "get it. 社区不能出具该证明，请按告知书到相应部门办理。"))
        return redirect("certificates:refusal_notice", pk=created.pk)
    messages.success(request, _("Your request has been sent to the community. 申请已提交社区。"))
    return redirect("certificates:request_detail", pk=created.pk)


@resident_page
@require_GET
def my_requests(request):
    return render(request, "listings/certificates/my_requests.html", {
        "page": _paginate(request, request_list(user=request.user)),
    })


# --- staff: walk-in entry and the register ------------------------------------------------------------------------

@walk_in_page
@require_http_methods(["GET", "POST"])
def walk_in(request):
    community = community_for(request.user)
    if community is None:
        raise Http404
    issuable, forbidden = certificate_items(district=district_of(community), day=timezone.localdate())
    form = WalkInForm(request.POST or None, issuable=issuable, forbidden=forbidden)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.certificate_request_walk_in(actor=request.user, **form.service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if created.status == RequestStatus.REFUSED:
                    messages.warning(request, _("The community may not issue this certificate; print the notice for "
                                                "the resident. 社区不能出具该证明，请打印告知书交给居民。"))
                    return redirect("certificates:refusal_notice", pk=created.pk)
                messages.success(request, _("Request recorded; check it and issue or refuse it. 申请已登记，请核实后办理。"))
                return redirect("certificates:request_detail", pk=created.pk)
        status = 400
    return render(request, "listings/certificates/walk_in_form.html", {
        "form": form, "community": community, "issuable": issuable, "forbidden": forbidden}, status=status)


def _search_form(request):
    user = request.user
    communities = register_community_choices(user=user)
    form = RegisterSearchForm(request.GET or None, items=register_item_choices(user=user), communities=communities)
    if can_enter_walk_in(user):  # one community: nothing to choose
        del form.fields["community"]
    return form


@staff_page
@require_GET
def register(request):
    form = _search_form(request)
    queryset = request_list(user=request.user)
    valid = not form.is_bound or form.is_valid()
    if form.is_bound and valid:
        queryset = register_search(queryset, form.cleaned_data)
    elif not valid:
        queryset = queryset.none()
    return render(request, "listings/certificates/register.html", {
        "form": form, "page": _paginate(request, queryset), "search_valid": valid,
        "can_enter_walk_in": can_enter_walk_in(request.user),
    }, status=200 if valid else 400)


@staff_page
@require_GET
def register_export(request):
    form = _search_form(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, _("The search is not valid; correct it and export again. 查询条件有误，请修改后再导出。"))
        return redirect(reverse("certificates:register") + "?" + request.GET.urlencode())
    try:
        result = exports.register_export(actor=request.user, search=form.cleaned_data if form.is_bound else {})
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(reverse("certificates:register") + "?" + request.GET.urlencode())
    return _attachment(result.content, filename=result.filename, content_type=XLSX_CONTENT_TYPE)


# --- one request ------------------------------------------------------------------------------------------------------

def _detail(request, req: CertificateRequest, *, status=200, issue_form=None, refuse_form=None, revoke_form=None,
            revealed=None, reveal_error="", action_error=""):
    user = request.user
    handles = can_handle(user, req)
    certificate = getattr(req, "certificate", None)
    if handles and issue_form is None and req.status == RequestStatus.SUBMITTED:
        issue_form = IssueForm(initial={"content": f"{req.applicant_name}，"})
    today = timezone.localdate()
    return render(request, "listings/certificates/request_detail.html", {
        "req": req,
        "certificate": certificate,
        "certificate_state": certificate.state_on(today) if certificate else "",
        "verify_url": documents.verification_url(certificate.serial, request=request) if certificate else "",
        "events": request_events(req),
        "is_staff_view": can_read_register(user),
        "handles": handles,
        "pii": pii_rows(req, SECRETS, MASKS, revealed) if can_read_register(user) else [],
        "reveal_url": reverse("certificates:reveal", args=[req.pk]) if handles else "",
        "reveal_error": reveal_error,
        "action_error": action_error,
        "masked_applicant": mask_name(req.applicant_name),
        "issue_form": issue_form if req.status == RequestStatus.SUBMITTED else None,
        "refuse_form": (refuse_form or ReasonForm(prefix="refuse")) if req.status == RequestStatus.SUBMITTED else None,
        "revoke_form": (revoke_form or ReasonForm(prefix="revoke")) if req.status == RequestStatus.ISSUED else None,
    }, status=status)


@request_page
@require_GET
def request_detail(request, pk):
    return _detail(request, access_request(user=request.user, request_id=pk))


def _act(request, pk, *, form, perform, done, form_key):
    req = access_request(user=request.user, request_id=pk)
    if not can_handle(request.user, req):
        raise PermissionDenied
    action_error = ""
    if form.is_valid():
        try:
            perform(req, form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except ApplicationError as exc:  # e.g. the request is no longer in a state that allows this
            if isinstance(exc, NotFoundOrForbidden | PermissionDeniedError):
                raise
            action_error = exc.message
        else:
            messages.success(request, done)
            return redirect("certificates:request_detail", pk=req.pk)
    return _detail(request, req, status=400, action_error=action_error, **{form_key: form})


@request_page
@require_POST
def issue(request, pk):
    return _act(request, pk, form=IssueForm(request.POST), form_key="issue_form",
                perform=lambda req, data: services.certificate_issue(actor=request.user, request_id=req.pk,
                                                                     content=data["content"]),
                done=_("Certificate issued. 证明已开具。"))


@request_page
@require_POST
def refuse(request, pk):
    return _act(request, pk, form=ReasonForm(request.POST, prefix="refuse"), form_key="refuse_form",
                perform=lambda req, data: services.certificate_refuse(actor=request.user, request_id=req.pk,
                                                                      reason=data["reason"]),
                done=_("Request refused; the applicant can read the reason. 已不予开具，申请人可查看理由。"))


@request_page
@require_POST
def revoke(request, pk):
    return _act(request, pk, form=ReasonForm(request.POST, prefix="revoke"), form_key="revoke_form",
                perform=lambda req, data: services.certificate_revoke(actor=request.user, request_id=req.pk,
                                                                      reason=data["reason"]),
                done=_("Certificate revoked; the verification page now says so. 证明已撤销，核验页面将显示已撤销。"))


@request_page
@require_POST
def reveal(request, pk):
    req = access_request(user=request.user, request_id=pk)
    try:
        value = applicant_reveal(actor=request.user, request=req, field=request.POST.get("field", ""))
    except InvalidInput as exc:
        return _detail(request, req, status=400, reveal_error=exc.message)
    return _detail(request, req, revealed={request.POST.get("field"): value})


@request_page
@require_GET
def certificate_pdf(request, pk):
    try:
        document = documents.certificate_pdf(
            actor=request.user, request_id=pk, url_for=lambda serial: documents.verification_url(serial, request=request))
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("certificates:request_detail", pk=pk)
    return _attachment(document.content, filename=document.filename, content_type=documents.PDF_CONTENT_TYPE)


@request_page
@require_GET
def refusal_notice(request, pk):
    req = access_request(user=request.user, request_id=pk)
    if req.status != RequestStatus.REFUSED:
        raise Http404
    return render(request, "listings/certificates/refusal_notice.html", documents.refusal_notice_context(req))


@request_page
@require_GET
def refusal_notice_pdf(request, pk):
    try:
        document = documents.refusal_notice_pdf(actor=request.user, request_id=pk)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("certificates:request_detail", pk=pk)
    return _attachment(document.content, filename=document.filename, content_type=documents.PDF_CONTENT_TYPE)


# --- public verification ------------------------------------------------------------------------------------------

def _rate(setting: str, default: str):
    return lambda group, request: getattr(settings, setting, default)


_lookup_rate = _rate("GONGZHI_CERTIFICATE_VERIFY_RATE", "120/10m")
_miss_rate = _rate("GONGZHI_CERTIFICATE_VERIFY_MISS_RATE", "20/10m")


def _misses_exhausted(request, *, increment=False) -> bool:
    usage = get_usage(request, group="certificates:verify-miss", key="ip", rate=_miss_rate, method=ALL,
                      increment=increment)
    return usage is not None and usage["count"] >= usage["limit"]


def _limited(request):
    return render(request, "listings/certificates/rate_limited.html", {"minutes": 10}, status=429)


@never_cache
@require_GET
@ratelimit(group="certificates:verify", key="ip", rate=_lookup_rate, method=ALL, block=False)
def verify(request):
    """The form; ?serial= looks it up (typed with spaces, dashes or in lower case)."""
    if getattr(request, "limited", False) or _misses_exhausted(request):
        return _limited(request)
    if "serial" not in request.GET:
        return render(request, "listings/certificates/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.GET)
    if not form.is_valid():
        return render(request, "listings/certificates/verify.html", {"form": form}, status=400)
    serial = normalize_serial(form.cleaned_data["serial"])
    if serial is None or certificate_by_serial(serial) is None:
        _misses_exhausted(request, increment=True)
        return render(request, "listings/certificates/verify.html", {"form": form, "not_found": True}, status=404)
    return redirect("certificates:verify_serial", serial=serial)


@never_cache
@require_GET
@ratelimit(group="certificates:verify", key="ip", rate=_lookup_rate, method=ALL, block=False)
def verify_serial(request, serial):
    if getattr(request, "limited", False) or _misses_exhausted(request):
        return _limited(request)
    canonical = normalize_serial(serial)
    certificate = certificate_by_serial(canonical) if canonical else None
    if certificate is None:
        _misses_exhausted(request, increment=True)
        form = VerifyForm(initial={"serial": serial[:40]})
        return render(request, "listings/certificates/verify.html", {"form": form, "not_found": True}, status=404)
    if canonical != serial:
        return redirect("certificates:verify_serial", serial=canonical)
    state = certificate.state_on(timezone.localdate())
    return render(request, "listings/certificates/verify.html", {
        "form": VerifyForm(), "certificate": certificate, "state": state,
        "state_label": CertificateState(state).label, "masked_name": mask_name(certificate.holder_name),
    })
