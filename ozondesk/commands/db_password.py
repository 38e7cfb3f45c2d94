"""`ozondesk db-password set|clear`: the PostgreSQL password of a team database, in the keyring.

The URL comes from --db or OZONDESK_DB, without the password; ``set`` reads the password from
the terminal (not echoed) or from the first line of standard input, so it never shows in the
shell history, the process list or a config file. Only the operating system's keyring is used:
on a machine without one (or with only keyrings.alt's file backends) the command exits 2 with
what to install, before asking for the password, and nothing is stored anywhere.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ozondesk.commands.output import emit_json
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "db-password"
HELP = _("store or forget the PostgreSQL password of the --db URL in the system keyring")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("set", "clear"),
                        help=_("set: read the password and store it; clear: forget it"))
    parser.add_argument("--format", choices=("json",), default="json", help=argparse.SUPPRESS)


def _read_password() -> str:
    if sys.stdin.isatty():
        return getpass.getpass(_("PostgreSQL password: "))
    return sys.stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    from ozondesk.keyring_check import secure_backend
    from ozondesk.services.credentials import register_secret
    from ozondesk.store.db import (
        clear_password,
        is_postgresql,
        password_key,
        resolve_url,
        store_password,
    )

    raw = getattr(args, "db", None) or os.environ.get("OZONDESK_DB")
    url = resolve_url(raw) if raw else None
    if url is None or not is_postgresql(url):
        raise UserError(
            _("db-password needs a PostgreSQL database: ozondesk --db postgresql://user@host/db db-password set")
        )
    if url.password:
        raise UserError(
            _("leave the password out of the --db URL: db-password set reads it from the terminal")
        )
    if args.action == "clear":
        emit_json({"key": password_key(url), "cleared": clear_password(url)})
        return 0
    secure_backend(purpose="database")  # refused before the password is typed
    password = _read_password()
    if not password:
        raise UserError(_("the password is empty: nothing stored"))
    register_secret(password)
    emit_json({"key": store_password(url, password), "stored": True})
    return 0
