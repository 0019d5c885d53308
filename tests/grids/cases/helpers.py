from django.utils import translation
from django.utils.html import escape


def tr(msgid: str, *, lang: str = "zh-hans", **params) -> str:
    """`msgid` as a page in `lang` shows it (translated, placeholders filled, HTML-escaped), so a test checks
    that the message reaches the page whatever the catalogue says."""
    with translation.override(lang):
        text = translation.gettext(msgid)
        if params:
            text = text % {k: str(v) for k, v in params.items()}
    return escape(text)


def en(msgid: str, **params) -> str:
    return tr(msgid, lang="en", **params)
