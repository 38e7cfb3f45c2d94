"""The interface catalogs: complete, placeholders intact, in step with the source, compiled.

When a test here fails after adding a `_("…")` string, run `python translations/update.py`,
translate the new entries in translations/ru and translations/zh_CN, and run it again.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message

from ozondesk import i18n

ROOT = Path(__file__).resolve().parent.parent
HINT = "run `python translations/update.py`, translate the new entries, and run it again"


def _load_tools():  # translations/update.py is a script, not a package module
    spec = importlib.util.spec_from_file_location("ozondesk_translations_update",
                                                  ROOT / "translations" / "update.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tools = _load_tools()
LOCALES = tools.LOCALES


@pytest.fixture(scope="module")
def template() -> Catalog:
    return tools.extract()


@pytest.fixture(scope="module", params=LOCALES)
def catalog(request: pytest.FixtureRequest) -> Catalog:
    return tools.read(tools.po_path(request.param), request.param)


def ids(catalog: Catalog) -> set[object]:
    return {(m.context, m.id) for m in catalog if m.id}


def entries(catalog: Catalog) -> Iterator[Message]:
    return (m for m in catalog if m.id)


def fields(text: str) -> list[str]:
    """The format fields of a str.format string, e.g. ['{n}', '{left:.0f}', '{name!r}']."""
    text = text.replace("{{", "").replace("}}", "")
    return sorted(re.findall(r"\{[^{}]*\}", text))


def label(message: Message) -> str:
    return repr(message.id)


def test_every_locale_has_a_catalog_and_a_compiled_file() -> None:
    assert set(LOCALES) == set(i18n.SUPPORTED)
    for locale in LOCALES:
        assert tools.po_path(locale).is_file(), f"{locale}: no catalog; {HINT}"
        assert tools.mo_path(locale).is_file(), f"{locale}: not compiled; {HINT}"


def test_the_template_is_the_fresh_extraction(template: Catalog) -> None:
    committed = tools.read(tools.POT)
    assert len(ids(template)) > 400
    assert ids(committed) == ids(template), HINT


def test_each_catalog_holds_exactly_the_strings_of_the_source(
    template: Catalog, catalog: Catalog
) -> None:
    missing = ids(template) - ids(catalog)
    extra = ids(catalog) - ids(template)
    assert not missing, f"{catalog.locale}: {len(missing)} strings missing, e.g. {sorted(map(str, missing))[:5]}; {HINT}"
    assert not extra, f"{catalog.locale}: strings no longer in the source: {sorted(map(str, extra))[:5]}; {HINT}"


def test_each_catalog_is_complete_and_nothing_is_fuzzy(catalog: Catalog) -> None:
    untranslated = [
        label(m) for m in entries(catalog)
        if not all(m.string if isinstance(m.string, tuple) else (m.string,))
    ]
    fuzzy = [label(m) for m in entries(catalog) if m.fuzzy]
    assert not untranslated, f"{catalog.locale}: untranslated {untranslated[:5]}"
    assert not fuzzy, f"{catalog.locale}: fuzzy (check and remove the flag) {fuzzy[:5]}"
    assert not catalog.fuzzy, f"{catalog.locale}: the header is marked fuzzy"


def test_plural_forms_match_the_language(catalog: Catalog) -> None:
    expected = {"en": 2, "ru": 3, "zh": 1}[catalog.locale.language]
    assert catalog.num_plurals == expected
    plurals = [m for m in entries(catalog) if m.pluralizable]
    assert plurals, "the source has ngettext strings"
    for m in plurals:
        assert isinstance(m.string, tuple) and len(m.string) == expected, label(m)


def test_placeholders_are_kept_exactly(catalog: Catalog) -> None:
    broken = []
    for m in entries(catalog):
        sources = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = sorted(set().union(*(fields(s) for s in sources)))
        for form in m.string if isinstance(m.string, tuple) else (m.string,):
            if sorted(set(fields(form))) != wanted:
                broken.append((label(m), form))
    assert not broken, f"{catalog.locale}: placeholders differ in {broken[:5]}"


def test_placeholder_check_catches_a_broken_field() -> None:
    assert fields("{n} из {total:.0f}, {name!r} {{literal}}") == sorted(["{n}", "{name!r}", "{total:.0f}"])
    assert fields("{n} ошибок") != fields("{count} errors")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_compiled_catalogs_are_not_stale(locale: str) -> None:
    fresh = tools.compile_mo(tools.read(tools.po_path(locale), locale))
    committed = tools.mo_path(locale).read_bytes()
    assert tools.mo_messages(committed) == tools.mo_messages(fresh), (
        f"{locale}: the .mo differs from its .po; {HINT}"
    )


def test_the_refresh_command_has_nothing_to_do() -> None:
    assert tools.refresh(check=True) == [], HINT


def test_chinese_interface_strings() -> None:
    i18n.set_language("zh_CN")
    assert i18n.language() == "zh_CN"
    assert i18n._("Settings") == "设置"
    assert i18n._("Buyer") == "买家"
    assert i18n._("Ticket") == "工单"
    assert i18n._("MSK") == "莫斯科时间"
    assert i18n._("Shop {name} removed.").format(name="悦鑫") == "店铺 悦鑫 已删除。"
    assert i18n.ngettext("{n} warning: you may still send", "{n} warnings: you may still send", 3
                         ).format(n=3) == "3 条警告：仍可发送"


def test_russian_interface_plurals() -> None:
    i18n.set_language("ru")
    one, few, many = (
        i18n.ngettext("{n} error to fix: {first}", "{n} errors to fix: {first}", n).format(n=n, first="…")
        for n in (21, 3, 11)
    )
    assert one.startswith("21 ошибка") and few.startswith("3 ошибки") and many.startswith("11 ошибок")
    assert i18n._("Settings") == "Настройки"


def test_english_is_the_source_text() -> None:
    i18n.set_language("en")
    assert i18n._("Settings") == "Settings"
    i18n.set_language("xx")  # unknown: English
    assert i18n.language() == "en" and i18n._("Buyer") == "Buyer"


@pytest.mark.parametrize(
    ("system", "expected"),
    [("zh_CN", "zh_CN"), ("zh_TW", "zh_CN"), ("zh_HK", "zh_CN"), ("ru_RU", "ru"), ("en_US", "en"),
     ("de_DE", "en"), (None, "en")],
)
def test_detect_language_from_the_system_locale(
    monkeypatch: pytest.MonkeyPatch, system: str | None, expected: str
) -> None:
    monkeypatch.delenv("OZONDESK_LANG", raising=False)
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: (system, "UTF-8"))
    assert i18n.detect_language() == expected


def test_ozondesk_lang_overrides_the_system_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: ("ru_RU", "UTF-8"))
    monkeypatch.setenv("OZONDESK_LANG", "zh_CN")
    assert i18n.detect_language() == "zh_CN"
    monkeypatch.setenv("OZONDESK_LANG", "en")
    assert i18n.detect_language() == "en"
