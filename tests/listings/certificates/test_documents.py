"""The PDFs: the certificate carries the Chinese text, the serial and a QR code that points at the public
verification page and holds no personal data; the refusal notice names the office; downloads are scoped and
audited; the renderer fetches nothing from the network."""

import io
import urllib.request

import pytest
from django.urls import reverse
from pypdf import PdfReader

from governance.models import AuditLog
from listings.certificates.services import documents
from listings.certificates.services.requests import certificate_revoke

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_certificate_pdf_has_the_chinese_text_and_the_serial(issued, resident, community, settings):
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.gov.cn"
    document = documents.certificate_pdf(actor=resident, request_id=issued.pk)
    assert document.content.startswith(b"%PDF")
    text = _text(document.content)
    certificate = issued.certificate
    assert "居住证明" in text
    assert "兹证明王秀兰系我社区居民，现居住于东湖小区3号楼。" in text
    assert "姓名：王秀兰" in text
    assert f"{community.name}居民委员会" in text
    assert certificate.serial in text
    assert f"{certificate.issued_on.year}年{certificate.issued_on.month}月{certificate.issued_on.day}日" in text
    assert "用途：子女入学" in text
    # The ID number is printed masked only.
    assert issued.applicant_id_number not in text and issued.applicant_id_number[-4:] in text
    assert document.filename == f"certificate-{certificate.serial}.pdf"


def test_qr_code_points_at_the_verification_page_without_personal_data(issued, settings):
    settings.GONGZHI_PUBLIC_BASE_URL = "https://gongzhi.example.gov.cn/"
    serial = issued.certificate.serial
    url = documents.verification_url(serial)
    assert url == f"https://gongzhi.example.gov.cn/certificates/verify/{serial}/"
    for secret in (issued.applicant_name, issued.applicant_id_number, issued.applicant_phone, "13812345678"):
        assert secret not in url
    html = documents.certificate_html(request=issued, verify_url=url)
    assert documents.qr_data_uri(url) in html  # the QR image is made from exactly that address


def test_verification_url_falls_back_to_the_request_address(issued, rf, settings):
    settings.GONGZHI_PUBLIC_BASE_URL = ""
    serial = issued.certificate.serial
    request = rf.get("/", HTTP_HOST="testserver")
    assert documents.verification_url(serial, request=request) == f"http://testserver/certificates/verify/{serial}/"


def test_each_download_is_audited(issued, resident, staff, client_for):
    before = AuditLog.objects.filter(action=AuditLog.Action.EXPORT).count()
    response = client_for(resident).get(reverse("certificates:pdf", args=[issued.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    client_for(staff).get(reverse("certificates:pdf", args=[issued.pk]))
    rows = AuditLog.objects.filter(action=AuditLog.Action.EXPORT, object_type="certificates.certificaterequest")
    assert rows.count() == before + 2
    assert set(rows.values_list("user_id", flat=True)) == {resident.pk, staff.pk}
    row = rows.filter(user_id=resident.pk).get()
    assert row.detail == {"document": "certificate_pdf", "serial": issued.certificate.serial}
    assert row.object_id == str(issued.pk) and "王秀兰" not in row.object_repr  # masked: 王**


def test_qr_in_the_downloaded_pdf_uses_the_site_address(issued, resident, client_for, settings, monkeypatch):
    settings.GONGZHI_PUBLIC_BASE_URL = ""
    seen = []
    original = documents.qr_data_uri
    monkeypatch.setattr(documents, "qr_data_uri", lambda payload: seen.append(payload) or original(payload))
    client_for(resident).get(reverse("certificates:pdf", args=[issued.pk]))
    assert seen == [f"http://testserver/certificates/verify/{issued.certificate.serial}/"]


def test_no_download_for_others_or_after_revocation(issued, other_resident, other_staff, staff, client_for):
    assert client_for(other_resident).get(reverse("certificates:pdf", args=[issued.pk])).status_code == 404
    assert client_for(other_staff).get(reverse("certificates:pdf", args=[issued.pk])).status_code == 404
    certificate_revoke(actor=staff, request_id=issued.pk, reason="信息有误。")
    response = client_for(staff).get(reverse("certificates:pdf", args=[issued.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("certificates:request_detail",
                                                                           args=[issued.pk])
    assert not AuditLog.objects.filter(action=AuditLog.Action.EXPORT, user_id__in=[
        other_resident.pk, other_staff.pk, staff.pk]).exists()


def test_refusal_notice_pdf_names_the_office(ask, lists, resident, client_for):
    request = ask(item=lists.no_record.pk)
    response = client_for(resident).get(reverse("certificates:refusal_notice_pdf", args=[request.pk]))
    assert response.status_code == 200
    text = _text(response.content)
    assert "不予出具证明告知书" in text and "无犯罪记录证明" in text
    assert "户籍所在地或居住地公安派出所" in text and "王秀兰" in text
    assert AuditLog.objects.filter(action=AuditLog.Action.EXPORT, user_id=resident.pk,
                                   detail__document="refusal_notice_pdf").count() == 1


def test_renderer_fetches_nothing(monkeypatch):
    opened = []

    def no_network(self, request, *args, **kwargs):  # WeasyPrint swallows fetch errors: record, then fail
        opened.append(getattr(request, "full_url", request))
        raise OSError("network disabled in this test")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    pdf = documents.render_pdf('<p>证明</p><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/passwd">'
                               '<link rel="stylesheet" href="https://example.com/x.css">')
    assert "证明" in _text(pdf)
    assert opened == []


def test_data_uris_still_render(monkeypatch):
    fetched = []
    from weasyprint.urls import URLFetcher

    original = URLFetcher.fetch
    monkeypatch.setattr(URLFetcher, "fetch", lambda self, url, headers=None: fetched.append(url[:5]) or
                        original(self, url, headers))
    documents.render_pdf(f'<img src="{documents.qr_data_uri("https://example.org/v/1/")}">')
    assert fetched == ["data:"]
