"""`ozondesk team`: the team's people from the command line, for an administrator's scripts.

Output of ``team list --format json`` (a contract): {"people": [{"login", "name", "role",
"active"}]}; the other actions print {"person": {…the same fields}}. The command line acts as
the administrator (no lead's login needed), under the same rules as the Team screen: nobody is
deleted, and the last active lead stays. Exit 0 done, 2 bad input with one line on stderr.
"""

from __future__ import annotations

import argparse
from typing import Any

from ozondesk.commands.output import (
    action_parsers,
    emit_json,
    emit_pairs,
    emit_table,
)
from ozondesk.i18n import _

NAME = "team"
HELP = _("list the team's people, add them, rename them, change roles, deactivate or reactivate")

ROLE_CHOICES = ("agent", "lead", "trainer")
FIRST_STEP = "ozondesk team add LOGIN --name NAME --role lead"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    action = action_parsers(parser)

    action("list", _("everyone in the team, inactive people included"))
    add = action("add", _("add a person to the team"))
    add.add_argument("login", metavar="LOGIN", help=_("the person's login, e.g. wang.fang"))
    add.add_argument("--name", required=True, help=_("display name"))
    add.add_argument("--role", required=True, choices=ROLE_CHOICES)
    rename = action("rename", _("change a person's display name"))
    rename.add_argument("login", metavar="LOGIN")
    rename.add_argument("--name", required=True, help=_("new display name"))
    set_role = action("set-role", _("change a person's role"))
    set_role.add_argument("login", metavar="LOGIN")
    set_role.add_argument("role", metavar="ROLE", choices=ROLE_CHOICES)
    deactivate = action("deactivate", _("stop a person working (their history keeps their name)"))
    deactivate.add_argument("login", metavar="LOGIN")
    reactivate = action("reactivate", _("let a deactivated person work again"))
    reactivate.add_argument("login", metavar="LOGIN")


def _fields(person: Any) -> dict[str, Any]:
    return {"login": person.login, "name": person.name, "role": person.role, "active": person.active}


def run(args: argparse.Namespace) -> int:
    from ozondesk.commands.common import existing_database
    from ozondesk.services.team import TeamService, check_login, check_name
    from ozondesk.store.db import open_database

    if args.action == "list":
        db = existing_database(args, FIRST_STEP, read_only=True)
    else:
        # Bad input is refused before any database is touched (or created).
        if args.action == "add":
            check_login(args.login)
        if args.action in ("add", "rename"):
            check_name(args.name)
        # Adding the first person is how a new installation starts: it may create the database.
        if args.action == "add":
            db = open_database(getattr(args, "db", None))
        else:
            db = existing_database(args, FIRST_STEP)
    try:
        team = TeamService(db)
        if args.action == "list":
            people = [_fields(p) for p in team.people()]
            if args.format == "json":
                emit_json({"people": people})
            else:
                emit_table(
                    [_("login"), _("name"), _("role"), _("state")],
                    [[p["login"], p["name"], p["role"], _("active") if p["active"] else _("inactive")]
                     for p in people],
                )
            return 0
        if args.action == "add":
            person = team.add(args.login, args.name, args.role, actor=None)
        elif args.action == "rename":
            person = team.rename(args.login, args.name, actor=None)
        elif args.action == "set-role":
            person = team.set_role(args.login, args.role, actor=None)
        elif args.action == "deactivate":
            person = team.deactivate(args.login, actor=None)
        else:
            person = team.reactivate(args.login, actor=None)
    finally:
        db.dispose()
    if args.format == "json":
        emit_json({"person": _fields(person)})
    else:
        emit_pairs([(_("login"), person.login), (_("name"), person.name), (_("role"), person.role),
                    (_("state"), _("active") if person.active else _("inactive"))])
    return 0
