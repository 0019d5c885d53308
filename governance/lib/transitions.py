from django.utils.translation import gettext as _

from governance.lib.exceptions import InvalidTransition


def ensure_transition(*, table, current, target) -> None:
    if target not in table.get(current, ()):
        raise InvalidTransition(
            _("Cannot move from %(current)s to %(target)s.") % {"current": current, "target": target},
            extra={"current": str(current), "target": str(target)},
        )
