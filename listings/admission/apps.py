from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    """Task admission (准入) and the community gate: what departments may push down, and what communities refuse."""

    name = "listings.admission"
    label = "admission"
    verbose_name = _("Task admission")
