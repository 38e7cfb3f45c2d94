"""`ozondesk translate`: a text into Chinese or Russian through the team's translation engine.

``ozondesk translate --to zh|ru [--engine yandex|libretranslate|deepl] [--url URL] [FILE|-]
--format json`` prints (a contract) ``{"text", "engine", "cached", "masked": [...]}``: the
translation with personal data, placeholders, Moscow deadlines and glossary terms restored, the
engine, whether the team's translation memory answered, and the kinds of personal data that
were kept home. The key comes from ``OZONDESK_TRANSLATE_KEY`` or this desk's keyring; a
LibreTranslate server without keys needs none. With a desk database (``--db``, ``OZONDESK_DB`` or
the default one, if it exists) the cache, glossary and engine choice are the team's and the
characters sent are counted; without one, nothing is kept. Exit 0 done, 2 bad input or an
engine's refusal (one line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ozondesk.commands.output import add_format_option, emit_json
from ozondesk.errors import UserError
from ozondesk.i18n import _

if TYPE_CHECKING:
    from ozondesk.store.db import Database

NAME = "translate"
HELP = _("translate a text into Chinese or Russian, keeping personal data on this machine")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, choices=("zh", "ru"),
                        help=_("the language to translate into"))
    parser.add_argument("--engine", choices=("yandex", "libretranslate", "deepl"),
                        help=_("the engine (default: the one chosen in Settings)"))
    parser.add_argument("--url", help=_("the LibreTranslate server, or another endpoint of the engine"))
    parser.add_argument("--folder-id", default="", help=_("Yandex Cloud folder id"))
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help=_("a UTF-8 text file, or - for standard input (default)"))
    add_format_option(parser)


def _read(name: str) -> str:
    try:
        if name == "-":
            stream = getattr(sys.stdin, "buffer", None)
            return stream.read().decode("utf-8") if stream is not None else sys.stdin.read()
        return Path(name).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise UserError(_("{file}: no such file").format(file=name)) from None
    except IsADirectoryError:
        raise UserError(_("{file} is a folder: give a text file").format(file=name)) from None
    except PermissionError:
        raise UserError(_("{file}: permission denied").format(file=name)) from None
    except UnicodeDecodeError:
        raise UserError(
            _("{file} is not UTF-8 text: save it as UTF-8 and try again").format(file=name)
        ) from None


def run(args: argparse.Namespace) -> int:
    from ozondesk.services.translation import TranslationService
    from ozondesk.translation.engine import check_url
    from ozondesk.translation.engines import EngineConfig

    url = check_url(args.url) if args.url is not None else ""
    text = _read(args.file)
    if text.endswith("\n"):
        text = text[:-1]  # the line end a pipe or an editor adds is not part of the message
    override = EngineConfig(args.engine or "", url, args.folder_id.strip())
    db = _database(args)
    service = TranslationService(db, override=override)
    try:
        result = service.translate(text, args.to)
    finally:
        service.close()
        if db is not None:
            db.dispose()
    if args.format == "json":
        emit_json({"text": result.text, "engine": result.engine, "cached": result.cached,
                   "masked": list(result.masked)})
    else:
        sys.stdout.write(result.text + "\n")
    return 0


def _database(args: argparse.Namespace) -> Database | None:
    """The desk database for writing (cache, counts), if there is one; never creates one."""
    from ozondesk.store.db import default_database_path, open_database, resolve_url

    explicit = getattr(args, "db", None) or os.environ.get("OZONDESK_DB")
    if explicit:
        return open_database(resolve_url(explicit), create=False, first_step="ozondesk --demo")
    if default_database_path().exists():
        return open_database(None, create=False)
    return None
