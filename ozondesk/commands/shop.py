"""`ozondesk shop`: the shops this team answers for, with their Seller API keys in the keyring.

``shop add NAME --client-id ID`` reads the API key from the terminal without echo, or from
the first line of standard input with ``--key-stdin``; never from an argument, so a key never
lands in the shell history or the process list. Adding a shop that exists with the same
Client-Id replaces its key (a new key from the seller cabinet).

Output of ``shop list --format json`` (a contract): {"shops": [{"name", "client_id"}]}; no
key is printed anywhere. Exit 0 done, 2 bad input with one line on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from ozondesk.commands.output import (
    action_parsers,
    emit_json,
    emit_pairs,
    emit_table,
)
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "shop"
HELP = _("add, list or remove the Ozon shops whose API keys are kept in the system keyring")

FIRST_STEP = "ozondesk shop add NAME --client-id ID"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = action_parsers(parser)

    add = action("add", _("add a shop, or give an existing one a new API key"))
    add.add_argument("name", metavar="NAME", help=_("the shop's name"))
    add.add_argument("--client-id", required=True, help=_("Client-Id from the seller cabinet"))
    add.add_argument("--key-stdin", action="store_true",
                     help=_("read the API key from the first line of standard input"))
    action("list", _("the configured shops (never their keys)"))
    remove = action("remove", _("forget a shop's API key (its conversations stay)"))
    remove.add_argument("name", metavar="NAME")


def _read_key(shop: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError(_("no terminal to type the API key in: pipe it in with --key-stdin"))
    return getpass.getpass(_("API key of {shop}: ").format(shop=shop))


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ozondesk.commands.common import existing_database
    from ozondesk.services.credentials import CredentialStore
    from ozondesk.store.db import open_database
    from ozondesk.store.models import Shop, ShopCredentialRef

    if args.action == "add":
        name, client_id = args.name.strip(), args.client_id.strip()
        if not name:
            raise UserError(_("give the shop a name"))
        if not client_id.isdigit() or int(client_id) <= 0:
            raise UserError(_("the Client-Id is a positive number, as shown in the seller cabinet"))
        api_key = _read_key(name, args.key_stdin)
        if not api_key.strip():
            raise UserError(_("the API key is empty: paste it from the seller cabinet"))
        db = open_database(getattr(args, "db", None))
    else:
        db = existing_database(args, FIRST_STEP, read_only=args.action == "list")
    try:
        store = CredentialStore(db)
        if args.action == "list":
            shops = [{"name": s.name, "client_id": s.client_id} for s in store.shops()]
            if args.format == "json":
                emit_json({"shops": shops})
            else:
                emit_table([_("name"), _("Client-Id")], [[s["name"], s["client_id"]] for s in shops])
            return 0
        if args.action == "remove":
            if not store.remove(args.name):
                raise UserError(_("no shop named {shop!r} is configured").format(shop=args.name))
            result = {"name": args.name, "removed": True}
        else:
            with db.begin() as session:
                by_name = session.execute(
                    select(Shop.ozon_seller_id, ShopCredentialRef.id)
                    .outerjoin(ShopCredentialRef, ShopCredentialRef.shop_id == Shop.id)
                    .where(Shop.name == name)
                ).first()
                other = session.scalar(
                    select(Shop.name).where(Shop.ozon_seller_id == client_id, Shop.name != name)
                )
            # save() would quietly rename or re-point an existing shop: a script's typo must not.
            if by_name is not None and by_name.ozon_seller_id != client_id:
                raise UserError(
                    _("shop {shop!r} has Client-Id {client_id}: change it in Settings, or remove the shop first").format(
                        shop=name, client_id=by_name.ozon_seller_id
                    )
                )
            if other is not None:
                raise UserError(
                    _("Client-Id {client_id} belongs to shop {shop!r} already").format(
                        client_id=client_id, shop=other
                    )
                )
            store.save(name, client_id, api_key)
            replaced = by_name is not None and by_name.id is not None
            result = {"name": name, "client_id": client_id, "key_replaced": replaced}
    finally:
        db.dispose()
    if args.format == "json":
        emit_json(result)
    else:
        emit_pairs(list(result.items()))
    return 0
