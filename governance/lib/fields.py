"""Model fields that keep personal data encrypted at rest."""

from django.db import models

from governance.lib import pii


class EncryptedTextField(models.TextField):
    """Stored as AES-GCM ciphertext ("v1:..."); Python code sees plaintext. Not searchable: pair it
    with a blind-index column (governance.lib.pii.blind_index) for exact lookups."""

    def from_db_value(self, value, expression, connection):
        return pii.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, "") or str(value).startswith("v1:"):
            return value
        return pii.encrypt(str(value))
