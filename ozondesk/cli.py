"""The ``ozondesk`` entry point: the desktop app, or a headless sub-command.

Sub-commands print one JSON object with ``--format json``. Exit codes: 0 success,
1 a check found problems (``lint``), 2 bad input with one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from ozondesk import __version__
from ozondesk.commands import COMMANDS, load
from ozondesk.errors import UserError
from ozondesk.i18n import _, detect_language, set_language

log = logging.getLogger("ozondesk")


class _Parser(argparse.ArgumentParser):
    """argparse that reports bad usage as one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ozondesk", description=_("OzonDesk customer-service workstation"))
    parser.add_argument("--version", action="version", version=f"ozondesk {__version__}")
    parser.add_argument(
        "--db", help=_("database URL or SQLite file (default: OZONDESK_DB or the user data folder)")
    )
    parser.add_argument("--demo", action="store_true", help=_("open the app on a demo database"))
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = load(name)
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        # Accepted after the sub-command too (`ozondesk demo --db URL`), without overriding one given before it.
        cmd.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        module.add_arguments(cmd)
        cmd.set_defaults(handler=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_language(detect_language())
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            from ozondesk.app import run_app

            return run_app(args)
        return int(args.handler(args))
    except UserError as exc:
        sys.stderr.write(f"{exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - sorted: a known error's line, or a bug's log entry
        from ozondesk.crash import sort_error

        error = sort_error(exc, where=" ".join(sys.argv[1:2]) or "ozondesk")
        sys.stderr.write(f"{error.message}\n")
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
