"""CI check: the catalogues hold every translatable string of the code (makemessages would change nothing),
every entry is translated in every language (no empty or fuzzy entries), and the .mo files are compiled."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LOCALES = ["zh_Hans", "en"]
IGNORE = [".venv/*", "node_modules/*", "staticfiles/*", "static/vendor/*", "tests/*", "media/*"]


def _catalogues() -> list[Path]:
    return sorted(p for d in settings.LOCALE_PATHS for p in Path(d).glob("*/LC_MESSAGES/*.po"))


def _ids(path: Path) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in polib.pofile(str(path)) if not e.obsolete}


class Command(BaseCommand):
    help = "Fail when the translation catalogues are stale, incomplete or not compiled."

    def handle(self, *args, **options):
        before = {p: p.read_bytes() for p in _catalogues()}
        ids_before = {p: _ids(p) for p in before}
        problems = []
        try:
            call_command("makemessages", locale=LOCALES, no_location=True, no_obsolete=True, ignore_patterns=IGNORE,
                         verbosity=0)
            for path in _catalogues():
                added = _ids(path) - ids_before.get(path, set())
                removed = ids_before.get(path, set()) - _ids(path)
                if added or removed:
                    sample = ", ".join(repr(m[1][:50]) for m in list(added)[:5])
                    problems.append(f"{path}: {len(added)} new and {len(removed)} removed strings ({sample}); "
                                    "run `make messages` and translate")
        finally:
            for path in _catalogues():
                if path in before:
                    path.write_bytes(before[path])
                else:
                    path.unlink()
        for path in _catalogues():
            catalogue = polib.pofile(str(path))
            untranslated = catalogue.untranslated_entries()
            fuzzy = catalogue.fuzzy_entries()
            if untranslated or fuzzy:
                sample = ", ".join(repr(e.msgid[:50]) for e in (untranslated + fuzzy)[:5])
                problems.append(f"{path}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy ({sample})")
        try:
            call_command("compile_translations", check=True)
        except SystemExit as exc:
            problems.append(str(exc))
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write(self.style.SUCCESS(f"{len(before)} catalogues current, complete and compiled."))
