"""Source strings are English, so the English catalogue is the identity: every entry is set to its msgid (plural
forms too). Setting, not only filling, matters: makemessages' fuzzy matching would otherwise leave a neighbouring
message's text in a new entry ("Case not found." showing "Household not found."). Run by `make messages`; CI then
checks that no catalogue has an empty entry."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Set every English translation to its (English) source string."

    def handle(self, *args, **options):
        for locale_dir in settings.LOCALE_PATHS:
            path = Path(locale_dir) / "en" / "LC_MESSAGES" / "django.po"
            if not path.exists():
                continue
            catalogue = polib.pofile(str(path))
            changed = 0
            for entry in catalogue:
                if entry.obsolete:
                    continue
                before = (entry.msgstr, dict(entry.msgstr_plural), "fuzzy" in entry.flags)
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
                else:
                    entry.msgstr = entry.msgid
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = entry.previous_msgctxt = entry.previous_msgid_plural = None
                changed += before != (entry.msgstr, dict(entry.msgstr_plural), False)
            catalogue.save()
            self.stdout.write(f"{path}: set {changed} entries to their source string")
