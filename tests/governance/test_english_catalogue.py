"""The English catalogue is the identity of the English source strings: a fuzzy guess from makemessages must never
show one message's text for another ("Case not found." as "Household not found.")."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command


def _english_catalogue() -> Path:
    return Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


def test_every_english_entry_is_its_source_string():
    wrong = [e.msgid for e in polib.pofile(str(_english_catalogue()))
             if not e.obsolete and not e.msgid_plural and e.msgstr != e.msgid]
    assert wrong == []


def test_sync_replaces_a_fuzzy_guess(tmp_path, settings):
    locale = tmp_path / "en" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Case not found.", msgstr="Household not found.", flags=["fuzzy"],
                                   previous_msgctxt="public case status", previous_msgid="Household not found."))
    catalogue.append(polib.POEntry(msgid="%(n)s case", msgid_plural="%(n)s cases",
                                   msgstr_plural={0: "%(n)s household", 1: ""}))
    catalogue.save(str(locale / "django.po"))
    settings.LOCALE_PATHS = [str(tmp_path)]

    call_command("sync_english_catalogue", stdout=open("/dev/null", "w"))

    entries = polib.pofile(str(locale / "django.po"))
    single, plural = entries[0], entries[1]
    assert (single.msgstr, single.flags) == ("Case not found.", [])
    assert plural.msgstr_plural == {0: "%(n)s case", 1: "%(n)s cases"}
    # No "#|" previous-message lines are left: a lone `#| msgctxt` makes msgmerge fail.
    assert "#|" not in (locale / "django.po").read_text()
