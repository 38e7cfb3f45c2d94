"""`ozondesk demo`: fill a database with realistic demo data."""

from __future__ import annotations

import argparse
import os

from ozondesk.commands.output import add_format_option, emit_json, emit_pairs
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "demo"
HELP = _("fill a database with realistic demo data")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--size", type=int, default=500, help=_("number of conversations (default 500)"))
    parser.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    from ozondesk.services.demo import generate
    from ozondesk.store.db import open_database

    target = getattr(args, "db", None) or os.environ.get("OZONDESK_DB")
    if not target:
        raise UserError(
            _("demo needs --db URL (or OZONDESK_DB), so it never fills your default database")
        )
    if not 1 <= args.size <= 2_000_000:
        raise UserError(_("--size must be between 1 and 2000000"))
    db = open_database(target)
    try:
        stats = generate(db, size=args.size, seed=args.seed)
    finally:
        db.dispose()
    result = {
        "db": db.display_name,
        "conversations": stats.conversations,
        "messages": stats.messages,
        "postings": stats.postings,
        "presence_events": stats.presence_events,
    }
    if args.format == "json":
        emit_json(result)
    else:
        emit_pairs([(k, v) for k, v in result.items()])
    return 0
