"""The printed documents: the certificate PDF and the refusal notice (HTML page and PDF).

WeasyPrint renders a Django template to PDF. The templates fetch nothing: the QR code is an SVG data: URI made by
segno, the font is found by name through fontconfig (fonts-wqy-zenhei, or Noto CJK where installed), and the URL
fetcher accepts data: URIs only, so neither a template nor text typed by a user can make the server open a URL or
a local file (SSRF). WeasyPrint is imported inside the render function: the app starts, and everything but the PDF
works, on a machine without Pango.

The QR code carries the public verification address with the serial number — never a name or an ID number.
The document text is the official Chinese wording of a 证明 (like the Chinese headers of the Excel files), so the
PDF templates are not translated. Every download is one `export` row in the audit log."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidInput
from governance.lib.pii import mask_id_number
from governance.models import AuditLog
from governance.services.audit import audit_record
from listings.certificates.models import CertificateRequest, RequestStatus
from listings.certificates.selectors import access_request
from listings.certificates.services.common import audit_actor

PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str


# --- rendering ----------------------------------------------------------------------------------------------------------

def _fetcher():
    from weasyprint.urls import URLFetcher

    class DataOnlyFetcher(URLFetcher):
        """Refuses every URL but data: (no http(s), no file:, no ftp:)."""

        def fetch(self, url, headers=None):
            if not url.lower().startswith("data:"):
                raise ValueError(f"refused to fetch {url[:60]!r}: documents fetch nothing")
            return super().fetch(url, headers)

    return DataOnlyFetcher(allowed_protocols=("data",), timeout=1)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # lazy: needs Pango

    return HTML(string=html, base_url=None, url_fetcher=_fetcher()).write_pdf()


def verification_url(serial: str, *, request=None) -> str:
    """The public page for this serial: GONGZHI_PUBLIC_BASE_URL + path, else this request's own address."""
    path = reverse("certificates:verify_serial", args=[serial])
    base = (getattr(settings, "GONGZHI_PUBLIC_BASE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_data_uri(payload: str) -> str:
    import segno

    return segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=2)


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def certificate_html(*, request: CertificateRequest, verify_url: str) -> str:
    certificate = request.certificate
    return render_to_string("listings/certificates/pdf/certificate.html", {
        "certificate": certificate,
        "masked_id_number": mask_id_number(request.applicant_id_number) if request.applicant_id_number else "",
        "issued_on": _chinese_date(certificate.issued_on),
        "valid_until": _chinese_date(certificate.valid_until),
        "verify_url": verify_url,
        "qr": qr_data_uri(verify_url),
    })


def refusal_notice_context(request: CertificateRequest) -> dict:
    decided = timezone.localdate(request.decided_at) if request.decided_at else timezone.localdate(request.created_at)
    return {"req": request, "decided_on": _chinese_date(decided), "item_name": request.item.name}


def refusal_notice_html(*, request: CertificateRequest) -> str:
    return render_to_string("listings/certificates/pdf/refusal_notice.html", refusal_notice_context(request))


# --- downloads (scoped and audited) -----------------------------------------------------------------------------------

def certificate_pdf(*, actor, request_id, url_for=verification_url) -> Document:
    """The certificate of an issued (not revoked) request the actor may read, as a PDF; one audit row."""
    request = access_request(user=actor, request_id=request_id)
    if request.status != RequestStatus.ISSUED:
        raise InvalidInput(_("Only an issued certificate that has not been revoked can be downloaded. "
                             "只有已开具且未撤销的证明可以下载。"))
    certificate = request.certificate
    content = render_pdf(certificate_html(request=request, verify_url=url_for(certificate.serial)))
    audit_record(action=AuditLog.Action.EXPORT, obj=request, actor=audit_actor(actor),
                 detail={"document": "certificate_pdf", "serial": certificate.serial})
    return Document(content=content, filename=f"certificate-{certificate.serial}.pdf")


def refusal_notice_pdf(*, actor, request_id) -> Document:
    """The printed notice of a refused request the actor may read; one audit row."""
    request = access_request(user=actor, request_id=request_id)
    if request.status != RequestStatus.REFUSED:
        raise InvalidInput(_("Only a refused request has a refusal notice. 只有不予开具的申请才有告知书。"))
    content = render_pdf(refusal_notice_html(request=request))
    audit_record(action=AuditLog.Action.EXPORT, obj=request, actor=audit_actor(actor),
                 detail={"document": "refusal_notice_pdf"})
    return Document(content=content, filename=f"refusal-notice-{request.pk}.pdf")
