"""`ozondesk templates`: list, import and export reply templates; check chat readiness."""

from __future__ import annotations

import argparse
from pathlib import Path

from ozondesk.commands.output import add_format_option, emit_json, emit_pairs, emit_table
from ozondesk.domain.clock import utcnow
from ozondesk.domain.display_names import category_name
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "templates"
HELP = _("list, import or export reply templates and check chat readiness")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("list", "import", "export", "ready"))
    parser.add_argument("file", nargs="?", help=_("pack file for import or export"))
    parser.add_argument("--as", dest="login", help=_("login of the agent importing (import only)"))
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ozondesk.domain.packs import load_pack, save_pack
    from ozondesk.services.templates import TemplateService
    from ozondesk.store.db import open_database
    from ozondesk.store.models import Agent

    if args.action in ("import", "export") and not args.file:
        raise UserError(_("templates {action} needs a FILE").format(action=args.action))
    pack = load_pack(Path(args.file)) if args.action == "import" else None
    if args.action == "export":
        from ozondesk.domain.json_files import check_target

        check_target(args.file)  # before the database: a bad target changes nothing
    if args.action in ("list", "ready", "export"):
        from ozondesk.commands.common import existing_database

        db = existing_database(args, read_only=True)  # only reads: never creates or migrates
    else:
        db = open_database(getattr(args, "db", None))
    try:
        service = TemplateService(db)
        now = utcnow()
        if args.action == "import":
            if not args.login:
                raise UserError(_("templates import needs --as LOGIN: imports are reviewed by a lead"))
            with db.begin() as session:
                agent_id = session.scalar(select(Agent.id).where(Agent.login == args.login))
            if agent_id is None:
                raise UserError(_("no agent with login {login!r}").format(login=args.login))
            assert pack is not None
            count = service.import_pack(agent_id, pack, now)
            result: dict[str, object] = {"imported": count, "pack": pack.id, "status": "submitted"}
        elif args.action == "export":
            exported = service.export_pack(now, pack_id=Path(args.file).stem)
            save_pack(exported, Path(args.file))
            result = {"exported": len(exported.templates), "file": args.file}
        elif args.action == "ready":
            ready = service.readiness(now)
            result = {"ok": ready.ok, "approved_chat_ru": ready.approved_chat_ru, "required": ready.required}
        else:
            rows = [
                {
                    "id": t.slug,
                    "category": t.category,
                    "channel": t.channel,
                    "live_revision": t.live.number if t.live else None,
                    "pending": t.pending.status if t.pending else None,
                    "usage_count": t.usage_count,
                    "title": (t.live or t.pending).title if (t.live or t.pending) else "",
                }
                for t in service.templates(now)
            ]
            if args.format == "json":
                emit_json({"templates": rows})
            else:
                emit_table(
                    [_("id"), _("category"), _("channel"), _("live"), _("pending"), _("title")],
                    [[r["id"], category_name(r["category"]), r["channel"], r["live_revision"], r["pending"], r["title"]]
                     for r in rows],
                )
            return 0
    finally:
        db.dispose()
    if args.format == "json":
        emit_json(result)
    else:
        emit_pairs(list(result.items()))
    return 0 if args.action != "ready" or result["ok"] else 1
