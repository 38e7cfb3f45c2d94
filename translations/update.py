"""Refresh the interface catalogs in one go: extract → update → compile.

    python translations/update.py            # from the repository root (or anywhere)
    python translations/update.py --check    # exit 1, writing nothing, when anything is out of date

Uses Babel's Python API with the same settings as ``babel.cfg`` (keywords ``_``, ``N_``,
``ngettext:1,2``). Files are written without line numbers and only when their content
changes, so a refresh after unrelated edits leaves the tree clean. The English catalog is
the source language: its translations are filled with the English text. New ru and zh_CN
strings are left empty (or fuzzy, when Babel finds a near match) for a translator;
``tests/test_translations.py`` fails until they are translated and the .mo files are
compiled again with this script.
"""

from __future__ import annotations

import argparse
import copy
import io
import sys
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOMAIN = "ozondesk"
LOCALES = ("en", "ru", "zh_CN")
SOURCE_LOCALE = "en"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
POT = HERE / f"{DOMAIN}.pot"
PROJECT = "OzonDesk"
# Lines that change on every run without any message changing.
_VOLATILE = ("POT-Creation-Date:", "PO-Revision-Date:", "Generated-By:")


def po_path(locale: str) -> Path:
    return HERE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(locale: str) -> Path:
    return po_path(locale).with_suffix(".mo")


def extract() -> Catalog:
    """A fresh template of every interface string in the source, as ``pybabel extract`` would make."""
    with open(HERE / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(
        project=PROJECT, version="1", domain=DOMAIN, charset="utf-8",
        copyright_holder="the OzonDesk authors", msgid_bugs_address="the OzonDesk issue tracker",
        header_comment=f"# Interface strings of {PROJECT}. Managed by translations/update.py.\n#",
    )
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
        strip_comment_tags=True,
    ):
        template.add(
            message, None, [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments, context=context,
        )
    return template


def read(path: Path, locale: str | None = None) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def render_po(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, ignore_obsolete=True, include_lineno=False, width=100)
    return out.getvalue()


def compile_mo(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalog (fuzzy entries left out, as ``pybabel compile`` does)."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _stable(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.lstrip(b'"').startswith(
        tuple(v.encode() for v in _VOLATILE))]


def _write(path: Path, data: bytes, check: bool, changed: list[Path], stable: bool = True) -> None:
    old = path.read_bytes() if path.exists() else None
    same = old is not None and (_stable(old) == _stable(data) if stable else old == data)
    if same:
        return
    changed.append(path)
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def _header(catalog: Catalog, locale: str) -> None:
    catalog.project, catalog.version = PROJECT, "1"
    catalog.copyright_holder = "the OzonDesk authors"
    catalog.msgid_bugs_address = "the OzonDesk issue tracker"
    catalog.last_translator = catalog.language_team = "OzonDesk team"
    catalog.header_comment = (
        f"# {locale} interface strings of {PROJECT}. Managed by translations/update.py.\n#"
    )
    catalog.fuzzy = False


def fill_source(catalog: Catalog) -> None:
    """The source-language catalog translates every string to itself."""
    for message in catalog:
        if not message.id:
            continue
        message.string = message.id  # a plural id is a (singular, plural) tuple
        message.flags.discard("fuzzy")


PENDING = HERE / "pending"


def apply_pending(catalog: Catalog, locale: str) -> None:
    """Fill untranslated or fuzzy strings from ``pending/*.json``.

    Each file maps a msgid (the singular, for a plural) to ``{"ru": ..., "zh_CN": ...}``;
    a plural's value is a list of forms. Parallel work adds its strings there instead of
    editing the .po files, so two people never edit one catalog at once.
    """
    import json

    for path in sorted(PENDING.glob("*.json")):
        for msgid, by_locale in json.loads(path.read_text(encoding="utf-8")).items():
            text = by_locale.get(locale)
            message = catalog.get(msgid)
            if text is None or message is None:
                continue
            if message.string and not message.fuzzy and (
                    all(message.string) if isinstance(message.string, tuple) else True):
                continue
            message.string = tuple(text) if isinstance(text, list) else text
            message.flags.discard("fuzzy")


def refresh(check: bool = False, locales: Iterable[str] = LOCALES) -> list[Path]:
    """Extract, update every catalog and compile it; the paths whose content changed."""
    changed: list[Path] = []
    template = extract()
    _write(POT, render_po(template), check, changed)
    for locale in locales:
        path = po_path(locale)
        fresh = copy.deepcopy(template)  # update() shares message objects with its template
        if path.exists():
            catalog = read(path, locale)
        else:
            catalog = Catalog(locale=locale, domain=DOMAIN, charset="utf-8")
        catalog.update(fresh, update_creation_date=False)
        apply_pending(catalog, locale)
        _header(catalog, locale)
        if locale == SOURCE_LOCALE:
            fill_source(catalog)
        po = render_po(catalog)
        _write(path, po, check, changed)
        # Compile from the .po as written, so the .mo matches what a reader of the .po sees.
        compiled = compile_mo(read_po(io.BytesIO(po), locale=locale, domain=DOMAIN))
        old = mo_path(locale).read_bytes() if mo_path(locale).exists() else None
        if old is None or mo_messages(old) != mo_messages(compiled):
            changed.append(mo_path(locale))
            if not check:
                mo_path(locale).write_bytes(compiled)
    return changed


def mo_messages(data: bytes) -> dict[object, object]:
    """The translations held by a .mo file, header left out (it names the Babel version)."""
    from babel.messages.mofile import read_mo

    catalog = read_mo(io.BytesIO(data))
    messages: dict[object, object] = {
        (m.context, _tuple(m.id)): _tuple(m.string) for m in catalog if m.id
    }
    messages["Plural-Forms"] = catalog.plural_forms
    return messages


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report what is out of date, write nothing")
    args = parser.parse_args(argv)
    changed = refresh(check=args.check)
    for path in changed:
        print(("out of date: " if args.check else "updated: ") + str(path.relative_to(ROOT)))
    if not changed:
        print("catalogs are up to date")
    missing = {
        locale: sum(1 for m in read(po_path(locale), locale) if m.id and (
            m.fuzzy or not all(m.string if isinstance(m.string, tuple) else (m.string,))))
        for locale in LOCALES if po_path(locale).exists()
    }
    for locale, count in missing.items():
        if count:
            print(f"{locale}: {count} strings untranslated or fuzzy — translate them and run again")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
