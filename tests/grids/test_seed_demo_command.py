"""`manage.py seed_demo` loads every feature's demo rows (cases, lists, admission, certificates) after the district,
and a second run changes none of them."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from grids.models import Incident, IncidentEvent
from listings.admission.models import AdmissionEvent, AdmittedTask, Application, SentTask
from listings.certificates.models import Certificate, CertificateRequest
from listings.models import ListItem, ListItemRevision, ListKind

FEATURE_MODELS = (Incident, IncidentEvent, ListKind, ListItem, ListItemRevision, Application, AdmissionEvent,
                  AdmittedTask, SentTask, CertificateRequest, Certificate)


def _counts() -> dict:
    return {m._meta.label_lower: m.objects.count() for m in FEATURE_MODELS}


@pytest.fixture(scope="module")
def seeded_twice(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with transaction.atomic():
            call_command("seed_demo", stdout=io.StringIO())
            first = _counts()
            call_command("seed_demo", stdout=io.StringIO())
            yield first, _counts()
            transaction.set_rollback(True)


def test_every_feature_has_demo_rows(seeded_twice, db):
    first, _ = seeded_twice
    assert first["grids.incident"] >= 30
    assert first["listings.listkind"] >= 6 and first["listings.listitem"] >= 80
    assert first["admission.application"] >= 5 and first["admission.senttask"] >= 1
    assert first["certificates.certificaterequest"] >= 3 and first["certificates.certificate"] >= 1


def test_a_second_run_changes_nothing(seeded_twice, db):
    first, second = seeded_twice
    assert first == second
