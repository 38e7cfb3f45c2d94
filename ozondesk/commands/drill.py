"""`ozondesk drill`: export or import a drill-set file, or list the drills of a desk."""

from __future__ import annotations

import argparse
from pathlib import Path

from ozondesk.commands.output import add_format_option, emit_json, emit_pairs, emit_table
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "drill"
HELP = _("export, import or list offline training drills")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("export", "import", "list"))
    parser.add_argument("file", nargs="?", help=_("drill-set file for export or import"))
    parser.add_argument("--as", dest="login", help=_("login of the trainer or lead (export, import)"))
    parser.add_argument("--set", dest="set_id", help=_("id of the set to export (when there are several)"))
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    from ozondesk.domain.drills import load_set, save_set
    from ozondesk.domain.json_files import check_target
    from ozondesk.services.drills import DrillService
    from ozondesk.store.db import open_database

    if args.action in ("import", "export"):
        if not args.file:
            raise UserError(_("drill {action} needs a FILE").format(action=args.action))
        if not args.login:
            raise UserError(
                _("drill {action} needs --as LOGIN of a trainer or team lead").format(action=args.action)
            )
    # A malformed file is refused before the database is even opened.
    drill_set = load_set(Path(args.file)) if args.action == "import" else None
    if args.action == "export":
        check_target(args.file)  # before the database: a bad target changes nothing
    if args.action == "list":
        from ozondesk.commands.common import existing_database

        db = existing_database(args, read_only=True)  # only reads: never creates or migrates
    else:
        db = open_database(getattr(args, "db", None))
    try:
        service = DrillService(db)
        if args.action == "list":
            rows = [
                {"set": d.set_slug, "id": d.slug, "family": d.family,
                 "time_limit_minutes": d.time_limit_minutes, "title": d.title}  # fmt: skip
                for d in service.catalogue(load_starter=False)
            ]
            if args.format == "json":
                emit_json({"drills": rows})
            else:
                emit_table(
                    [_("set"), _("id"), _("family"), _("minutes"), _("title")],
                    [[r["set"], r["id"], r["family"], r["time_limit_minutes"], r["title"]] for r in rows],
                )
            return 0
        actor = service.person(args.login)
        if args.action == "import":
            assert drill_set is not None
            outcome = service.import_set(actor.id, drill_set)
            result: dict[str, object] = {"set": outcome.slug, "added": outcome.added,
                                         "updated": outcome.updated, "archived": outcome.archived}  # fmt: skip
        else:
            exported = service.export_set(actor.id, args.set_id)
            save_set(exported, Path(args.file))
            result = {"set": exported.id, "exported": len(exported.drills), "file": args.file}
    finally:
        db.dispose()
    if args.format == "json":
        emit_json(result)
    else:
        emit_pairs(list(result.items()))
    return 0

