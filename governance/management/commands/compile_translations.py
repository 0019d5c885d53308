"""Compile locale/*.po into .mo with polib (pure Python), so `make run` needs no gettext tools."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail if a .mo file is missing or out of date.")

    def handle(self, *args, check=False, **options):
        stale = []
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_dir).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                po = polib.pofile(str(po_path))
                if check:
                    if not mo_path.exists() or _entries(polib.mofile(str(mo_path))) != _entries(po):
                        stale.append(str(po_path))
                    continue
                po.save_as_mofile(str(mo_path))
                self.stdout.write(f"compiled {po_path}")
        if stale:
            raise SystemExit("Translation catalogues not compiled: " + ", ".join(stale))


def _entries(catalogue) -> dict:
    """(context, msgid) -> translation, for the translated entries (a .mo holds only those)."""
    result = {}
    for e in catalogue:
        if e.msgid == "" or getattr(e, "obsolete", False) or "fuzzy" in getattr(e, "flags", ()):
            continue
        plural = tuple(sorted((int(k), v) for k, v in e.msgstr_plural.items()))
        if e.msgstr or any(v for _, v in plural):
            result[(e.msgctxt or None, e.msgid)] = (e.msgstr, plural)
    return result
