from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates (出具证明): requests, issuing from the certificate list, PDFs and public verification."""

    name = "listings.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
