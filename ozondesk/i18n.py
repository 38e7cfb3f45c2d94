"""Interface translation: one `_()` for every user-visible string.

Catalogs are gettext .mo files compiled by Babel under ``translations/``. Reply
text that goes to buyers stays Russian whatever the interface language.
"""

from __future__ import annotations

import gettext
import locale
import os
from pathlib import Path

from ozondesk.resources import translations_dir

DOMAIN = "ozondesk"
SUPPORTED = ("en", "ru", "zh_CN")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def catalog_dir() -> Path:
    return translations_dir()


def detect_language() -> str:
    """Interface language from OZONDESK_LANG or the system locale (zh_* → zh_CN)."""
    wanted = os.environ.get("OZONDESK_LANG")
    if not wanted:
        try:
            wanted = locale.getlocale()[0] or ""
        except ValueError:
            wanted = ""
    wanted = wanted or "en"
    if wanted.lower().startswith("zh"):
        return "zh_CN"
    if wanted.lower().startswith("ru"):
        return "ru"
    return "en"


def set_language(language: str) -> None:
    global _translations, _language
    if language not in SUPPORTED:
        language = "en"
    _language = language
    _translations = gettext.translation(
        DOMAIN, localedir=str(catalog_dir()), languages=[language], fallback=True
    )


def language() -> str:
    return _language


def babel_locale() -> str:
    """Locale name for Babel formatting of interface numbers and dates."""
    return {"zh_CN": "zh_Hans_CN"}.get(_language, _language)


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; translate later where it is shown."""
    return message
