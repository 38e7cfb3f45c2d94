"""`ozondesk sync`: one headless sync of a shop, printing what changed as JSON.

Output (a contract): {"created": {"chats", "messages", "postings", "returns", "products"},
"updated": {…same keys}, "errors": [{"where", "message", "what_to_do"}],
"skipped": [{"method", "reason"}]}. ``skipped`` names work left for the next sync: postings,
returns or products still owed after a failed call, or a stage not run because an earlier
one failed. No text in it carries the API key, whatever Ozon's answers echo. Exit 0 when
everything was fetched (or another desk was syncing the shop at that moment), 1 when some
records or calls failed or work was left for later.
"""

from __future__ import annotations

import argparse
import os

from ozondesk.commands.output import emit_json
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "sync"
HELP = _("pull chats, postings, returns and products of a shop from the Ozon Seller API once")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Always JSON (a contract for scripts); accepted for symmetry with the other commands.
    parser.add_argument("--format", choices=("json",), default="json", help=argparse.SUPPRESS)
    parser.add_argument("--shop", required=True, help=_("shop name (credentials from the keyring)"))
    parser.add_argument(
        "--base-url",
        default=None,
        help=_("Seller API address (default https://api-seller.ozon.ru)"),
    )
    parser.add_argument(
        "--unread-only", action="store_true", help=_("only chats with unread messages")
    )
    parser.add_argument("--send", action="store_true", help=_("also deliver queued replies first"))


def run(args: argparse.Namespace) -> int:
    import logging

    from ozondesk.ozon.client import BASE_URL, OzonClient
    from ozondesk.services.credentials import (
        CredentialStore,
        from_environment,
        install_log_redaction,
    )
    from ozondesk.services.outbox import OutboxService
    from ozondesk.services.sync import SyncService
    from ozondesk.store.db import open_database

    install_log_redaction(logging.getLogger())
    target = getattr(args, "db", None) or os.environ.get("OZONDESK_DB")
    db = open_database(target)
    try:
        creds = from_environment(args.shop) or CredentialStore(db).load(args.shop)
        base = args.base_url or BASE_URL
        if not base.startswith(("http://", "https://")):
            raise UserError(_("--base-url must start with http:// or https://"))
        with OzonClient(creds.client_id, creds.api_key, base) as client:
            if args.send:
                OutboxService(db, client).deliver()
            report = SyncService(db, client, args.shop).run(unread_only=args.unread_only)
    finally:
        db.dispose()
    emit_json(report.to_json())
    # Another desk syncing the shop right now is no failure: the work is being done there.
    return 1 if report.errors or report.skipped else 0
