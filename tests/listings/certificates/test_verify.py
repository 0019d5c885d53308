"""The public verification page: no login; valid, revoked and expired certificates say so, with the kind, date,
issuing community and a masked name only; unknown serials get a clear message; look-ups are rate-limited."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from listings.certificates.services.requests import certificate_revoke

pytestmark = pytest.mark.django_db


EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # pages follow the request's language (LocaleMiddleware), default zh-hans


def _page(serial):
    return Client().get(reverse("certificates:verify_serial", args=[serial]), **EN)


def _html(response) -> str:
    return response.content.decode()


def test_valid_then_revoked(issued, staff, community):
    serial = issued.certificate.serial
    response = _page(serial)
    html = _html(response)
    assert response.status_code == 200
    assert "This certificate is valid" in html and 'data-state="valid"' in html
    assert "居住证明" in html and community.name in html and serial in html
    assert issued.certificate.issued_on.isoformat() in html
    # A masked name, and nothing else personal.
    assert "王**" in html and "王秀兰" not in html
    for secret in (issued.applicant_id_number, "13812345678", "子女入学", "东湖小区"):
        assert secret not in html
    assert "no-store" in response["Cache-Control"]

    certificate_revoke(actor=staff, request_id=issued.pk, reason="住址信息有误。")
    html = _html(_page(serial))
    assert "This certificate has been revoked" in html and 'data-state="revoked"' in html
    assert "住址信息有误" not in html  # the reason stays internal


def test_expired_after_the_validity_date(issued):
    serial = issued.certificate.serial
    valid_until = issued.certificate.valid_until
    last_day = timezone.make_aware(datetime.datetime.combine(valid_until, datetime.time(20, 0)))
    with time_machine.travel(last_day, tick=False):
        assert 'data-state="valid"' in _html(_page(serial))
    with time_machine.travel(last_day + datetime.timedelta(days=1), tick=False):
        html = _html(_page(serial))
    assert "This certificate has expired" in html and 'data-state="expired"' in html


def test_chinese_by_default(issued):
    html = _html(Client().get(reverse("certificates:verify_serial", args=[issued.certificate.serial])))
    assert '<html lang="zh-hans">' in html


def test_unknown_serial_is_a_clear_not_found(issued):
    response = _page("110101-2026-000001-ZZZZZZ")
    assert response.status_code == 404
    assert "No certificate has this serial number" in _html(response)
    response = _page("not-a-serial")
    assert response.status_code == 404 and 'id="not-found"' in _html(response)


def test_typed_serial_is_normalised(issued):
    serial = issued.certificate.serial
    typed = " " + serial.lower().replace("-", " ") + " "
    response = Client().get(reverse("certificates:verify"), {"serial": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:verify_serial", args=[serial])
    # A lower-case link goes to the canonical address.
    response = _page(serial.lower())
    assert response.status_code == 302 and response["Location"].endswith(f"/{serial}/")


def test_form_without_serial_and_empty_input(db):
    client = Client()
    assert client.get(reverse("certificates:verify")).status_code == 200
    response = client.get(reverse("certificates:verify"), {"serial": ""}, **EN)
    assert response.status_code == 400 and "Enter the serial number" in _html(response)


def test_form_lookup_of_an_unknown_serial(db):
    response = Client().get(reverse("certificates:verify"), {"serial": "110101-2026-000009-ABCDEF"}, **EN)
    assert response.status_code == 404 and "No certificate has this serial number" in _html(response)


def test_guessing_serials_is_rate_limited(issued, settings):
    settings.GONGZHI_CERTIFICATE_VERIFY_MISS_RATE = "3/10m"
    client = Client()
    for n in range(3):
        assert client.get(reverse("certificates:verify_serial", args=[f"110101-2026-00000{n}-AAAAAA"])).status_code == 404
    response = client.get(reverse("certificates:verify_serial", args=[issued.certificate.serial]))
    assert response.status_code == 429  # even a real serial, until the window passes
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.8.7").get(reverse("certificates:verify_serial", args=[issued.certificate.serial]))
    assert other.status_code == 200


def test_lookups_are_rate_limited(issued, settings):
    settings.GONGZHI_CERTIFICATE_VERIFY_RATE = "2/10m"
    client = Client()
    url = reverse("certificates:verify_serial", args=[issued.certificate.serial])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_certificates_from_sample_items_say_so(issued, lists):
    serial = issued.certificate.serial
    assert 'id="cert-sample"' not in _html(_page(serial))
    lists.residence.is_sample = True
    lists.residence.save()
    assert 'id="cert-sample"' in _html(_page(serial))
