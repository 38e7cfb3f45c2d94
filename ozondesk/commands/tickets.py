"""`ozondesk tickets`: the seller's tickets to Ozon support and the account manager.

Contracts: ``tickets list --format json`` prints {"tickets": [{"id", "kind", "number",
"category", "sent_at", "due_at", "state", "waiting_s"}]}, the tickets Ozon still owes first,
the longest-waiting on top; ``state`` is waiting, due-soon, late (Ozon missed its own target),
answered, closed or draft; ``waiting_s`` is null unless Ozon owes the answer. ``tickets add
--kind support|urgent|consult|am|email --category CAT --number N --sent-at TIME [--order N]…``
enters a ticket sent elsewhere (Seller Center form, e-mail) and prints {"ticket": {…the same
fields, "missing": [evidence Ozon may send it back for]}}. Exit 0 done, 2 bad input with one
line on stderr and nothing written.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ozondesk.commands.output import action_parsers, emit_json, emit_pairs, emit_table
from ozondesk.domain import tickets as T
from ozondesk.i18n import _

if TYPE_CHECKING:
    from ozondesk.services.tickets import TicketView

NAME = "tickets"
HELP = _("list the shop's tickets to Ozon with Ozon's deadlines, or enter one sent elsewhere")
FIRST_STEP = "ozondesk shop add NAME --client-id ID"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = action_parsers(parser)
    listing = action("list", _("every ticket, those Ozon keeps waiting longest first"))
    listing.add_argument("--now", help=_("evaluate at this time (ISO 8601; default: now)"))
    add = action("add", _("enter a ticket sent through a Seller Center form or by e-mail"))
    add.add_argument("--kind", required=True, choices=tuple(T.KINDS))
    add.add_argument("--category", required=True, metavar="CAT",
                     help=_("problem category: {known}").format(known=", ".join(T.CATEGORIES)))
    add.add_argument("--number", required=True, metavar="N", help=_("the platform's ticket number"))
    add.add_argument("--sent-at", required=True, metavar="TIME",
                     help=_("when it was sent, ISO 8601 (without an offset: Moscow time)"))
    add.add_argument("--order", action="append", default=[], metavar="N",
                     help=_("an order number the ticket is about (repeatable)"))
    add.add_argument("--shop-id", default=None, help=_("the shop ID written on the ticket"))
    add.add_argument("--error-code", default=None, help=_("the error code the platform showed"))


def _row(v: TicketView) -> list[object]:
    from ozondesk.domain.clock import iso_msk
    from ozondesk.domain.display_names import (
        ticket_category_name,
        ticket_kind_name,
        ticket_state_name,
    )

    # Text output names the codes in the interface language; --format json keeps the codes.
    return [v.id, ticket_kind_name(v.kind), v.number, ticket_category_name(v.category),
            iso_msk(v.sent_at), iso_msk(v.due_at), ticket_state_name(v.state), v.waiting_s]


def run(args: argparse.Namespace) -> int:
    from ozondesk.commands.common import existing_database
    from ozondesk.domain.clock import parse_instant
    from ozondesk.services.tickets import TicketService

    now = parse_instant(args.now) if getattr(args, "now", None) else None
    if args.action == "add":
        # Bad input is refused before the database is even opened.
        T.check_category(args.category)
        T.check_kind_and_category(args.kind, args.category)
        T.check_number(args.number)
        T.check_orders(args.order)
        sent_at = parse_instant(args.sent_at)
    # Listing only reads: the database is opened read-only, never created or migrated.
    db = existing_database(args, FIRST_STEP, read_only=args.action == "list")
    try:
        service = TicketService(db)
        if args.action == "list":
            views = service.tickets(now)
            if args.format == "json":
                emit_json({"tickets": [v.to_json() for v in views]})
            else:
                emit_table([_("id"), _("kind"), _("number"), _("category"), _("sent"), _("due"),
                            _("state"), _("waiting, s")], [_row(v) for v in views])
            return 0
        view = service.add(kind=args.kind, category=args.category, number=args.number,
                           sent_at=sent_at, orders=args.order, shop_ref=args.shop_id,
                           error_code=args.error_code)
    finally:
        db.dispose()
    if args.format == "json":
        emit_json({"ticket": {**view.to_json(), "missing": list(view.missing)}})
    else:
        emit_pairs(list(zip([_("id"), _("kind"), _("number"), _("category"), _("sent"), _("due"),
                             _("state"), _("waiting, s")], _row(view), strict=True))
                   + [(_("missing"), ", ".join(_(T.EVIDENCE[k]) for k in view.missing) or "—")])
    return 0
