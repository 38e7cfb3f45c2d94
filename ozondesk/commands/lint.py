"""`ozondesk lint`: check one Russian reply, or every template of a pack, before it goes out.

Exit 0 when nothing is an error or a warning, 1 when something is, 2 on bad input.
In ``--pack`` mode placeholders are filled with sample values first (so
``{deadline_msk}`` counts as a concrete deadline) and spans point into each
template's body; a span inside a filled placeholder covers the whole ``{name}``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ozondesk.commands.output import add_format_option, emit_json, emit_table
from ozondesk.domain.clock import parse_instant, utcnow
from ozondesk.domain.display_names import severity_name
from ozondesk.domain.lint import Finding, LintContext, Linter, blocking, default_linter
from ozondesk.domain.packs import load_pack
from ozondesk.domain.template_lint import lint_template_body
from ozondesk.errors import UserError
from ozondesk.i18n import _

NAME = "lint"
HELP = _("check a Russian reply for vague promises, missing deadlines, contacts and tone")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        nargs="?",
        metavar="FILE",
        help=_("reply text (UTF-8), or - for standard input (default)"),
    )
    parser.add_argument(
        "--pack", metavar="PACK.json", help=_("lint every template of a template pack instead")
    )
    parser.add_argument("--now", help=_("check promises as of this time (ISO 8601; default: now)"))
    parser.add_argument(
        "--deadline",
        help=_("the conversation's SLA deadline (ISO 8601); promises after it are flagged"),
    )
    parser.add_argument(
        "--policy",
        help=_("SLA policy whose business calendar checks promised days, e.g. ozon-ticket"),
    )
    parser.add_argument(
        "--rules",
        action="append",
        default=[],
        metavar="RULES.json",
        help=_("extra rule file merged over the shipped rules (repeatable)"),
    )
    add_format_option(parser)


def run(args: argparse.Namespace) -> int:
    if args.pack and args.file:
        raise UserError(_("give either FILE or --pack, not both"))
    linter = Linter.from_files(*args.rules) if args.rules else default_linter()
    context = _context(args)
    if args.pack:
        return _run_pack(linter, Path(args.pack), context, args.format)
    if context is None:
        # --help promises "default: now": a reply is checked against the clock it goes out by.
        # (Pack mode keeps no clock: its samples are dated relative to SAMPLE_NOW.)
        context = LintContext(now=utcnow())
    text = read_text(args.file or "-")
    findings = linter.lint(text, context)
    ok = not blocking(findings)
    if args.format == "json":
        emit_json({"ok": ok, "findings": [f.to_dict() for f in findings]})
    else:
        _table(findings)
    return 0 if ok else 1


def _context(args: argparse.Namespace) -> LintContext | None:
    if not (args.now or args.deadline or args.policy):
        return None
    calendar = None
    if args.policy:
        from ozondesk.domain.policies import get_policy

        calendar = get_policy(args.policy).calendar
    return LintContext(
        now=parse_instant(args.now) if args.now else None,
        deadline=parse_instant(args.deadline) if args.deadline else None,
        calendar=calendar,
    )


# Lint time grows with the text; a reply is 1,000 characters, so 100 times that is plenty and
# keeps a pasted log file from holding the command for minutes (UTF-8: at most 4 bytes each).
MAX_LINT_CHARS = 100_000


def _too_long(where: str) -> UserError:
    return UserError(_("{where} is longer than {max} characters: lint one reply at a time").format(
        where=where, max=f"{MAX_LINT_CHARS:,}"))


def read_text(name: str) -> str:
    limit = MAX_LINT_CHARS * 4
    if name == "-":
        stream: Any = sys.stdin
        raw = stream.buffer.read(limit + 1) if hasattr(stream, "buffer") else stream.read(MAX_LINT_CHARS + 1)
        where = _("standard input")
        if len(raw) > limit:
            raise _too_long(where)
    else:
        path = Path(name)
        where = str(path)
        try:
            if path.stat().st_size > limit:
                raise _too_long(where)
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UserError(_("{path} does not exist").format(path=path)) from None
        except OSError as exc:
            raise UserError(
                _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)
            ) from None
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(_("{where} is not UTF-8 text").format(where=where)) from None
    if len(raw) > MAX_LINT_CHARS:
        raise _too_long(where)
    return raw


def _run_pack(linter: Linter, path: Path, context: LintContext | None, fmt: str) -> int:
    pack = load_pack(path)
    results: list[tuple[str, bool, list[Finding]]] = []
    for template in pack.templates:
        findings = lint_template_body(template.body, linter, context, template.language)
        results.append((template.id, not blocking(findings), findings))
    ok = all(r[1] for r in results)
    if fmt == "json":
        emit_json(
            {
                "ok": ok,
                "templates": [
                    {"id": tid, "ok": tok, "findings": [f.to_dict() for f in fs]}
                    for tid, tok, fs in results
                ],
            }
        )
    else:
        rows = [
            [tid, severity_name(f.severity), f.rule, f"{f.start}-{f.end}", f.text, f.message, f.suggestion]
            for tid, _ok, fs in results
            for f in fs
        ]
        if rows:
            emit_table(
                (
                    _("template"),
                    _("severity"),
                    _("rule"),
                    _("span"),
                    _("text"),
                    _("message"),
                    _("suggestion"),
                ),
                rows,
            )
        bad = sum(1 for r in results if not r[1])
        sys.stdout.write(
            _("{n} templates, {bad} with errors or warnings").format(n=len(results), bad=bad) + "\n"
        )
    return 0 if ok else 1


def _table(findings: Sequence[Finding]) -> None:
    if not findings:
        sys.stdout.write(_("no problems found") + "\n")
        return
    emit_table(
        (_("severity"), _("rule"), _("span"), _("text"), _("message"), _("suggestion")),
        [
            [severity_name(f.severity), f.rule, f"{f.start}-{f.end}", f.text, f.message, f.suggestion]
            for f in findings
        ],
    )
