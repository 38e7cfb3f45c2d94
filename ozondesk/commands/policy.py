"""`ozondesk policy`: the SLA policies of a desk, and a lead changing one's time budget."""

from __future__ import annotations

import argparse

from ozondesk.commands.output import add_format_option, emit_json, emit_table
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "policy"
HELP = _("list the SLA policies, or change one's time budget (team leads)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "set"))
    parser.add_argument("name", nargs="?", help=_("policy name (set), e.g. return-request"))
    parser.add_argument("--budget-minutes", type=int, help=_("the new time budget in minutes (set)"))
    parser.add_argument("--as", dest="login", help=_("login of the team lead (set)"))
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    from ozondesk.services.policy_edit import PolicyEditService, PolicyRow
    from ozondesk.store.db import open_database

    if args.action == "set":
        if not args.name or args.budget_minutes is None or not args.login:
            raise UserError(_("policy set needs NAME, --budget-minutes N and --as LOGIN of a team lead"))
    if args.action == "list":
        from ozondesk.commands.common import existing_database

        db = existing_database(args, read_only=True)  # only reads: never creates or migrates
    else:
        db = open_database(getattr(args, "db", None))
    try:
        service = PolicyEditService(db)
        if args.action == "set":
            from ozondesk.services.drills import DrillService

            actor = DrillService(db).person(args.login)
            rows: list[PolicyRow] = [service.set_budget(actor.id, args.name, args.budget_minutes)]
        else:
            rows = service.policies()
    finally:
        db.dispose()
    out = [{"name": r.name, "title": r.title, "budget_seconds": r.budget_seconds,
            "calendar": r.calendar} for r in rows]  # fmt: skip
    if args.format == "json":
        emit_json({"policies": out})
    else:
        emit_table(
            [_("policy"), _("title"), _("budget, min"), _("calendar")],
            [[r.name, _(r.title), r.budget_seconds // 60, r.calendar] for r in rows],
        )
    return 0
