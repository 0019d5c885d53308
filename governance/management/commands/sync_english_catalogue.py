"""Source strings are English, so the English catalogue is the identity: fill every empty entry with its msgid
(plural forms too). Run by `make messages`; CI then checks that no catalogue has an empty entry."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fill empty English translations with their (English) source string."

    def handle(self, *args, **options):
        for locale_dir in settings.LOCALE_PATHS:
            path = Path(locale_dir) / "en" / "LC_MESSAGES" / "django.po"
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            filled = 0
            for entry in catalogue:
                if entry.obsolete:
                    continue
                if entry.msgid_plural:
                    if not all(entry.msgstr_plural.values()):
                        entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                        filled += 1
                elif not entry.msgstr:
                    entry.msgstr = entry.msgid
                    filled += 1
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            catalogue.save()
            self.stdout.write(f"{path}: filled {filled} entries")
