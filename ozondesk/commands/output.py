"""Printing a command's result: one JSON object, or a readable table."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

import wcwidth


def add_format_option(parser: Any) -> None:
    parser.add_argument(
        "--format", choices=("json", "table"), default="table", help="output format (default: table)"
    )


def emit_json(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters and emoji take two, combining
    marks and zero-width joiners none (wcwidth follows the Unicode tables terminals use)."""
    width = wcwidth.wcswidth(text)
    if width >= 0:
        return width
    # A control character (a tab in a buyer's text) makes wcswidth give up: count it as one.
    return sum(max(wcwidth.wcwidth(c), 1 if not c.isprintable() else 0) for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def emit_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        padded = (pad(c, w) for c, w in zip(row, widths, strict=True))
        sys.stdout.write("  ".join(padded).rstrip() + "\n")
        if n == 0:
            sys.stdout.write("  ".join("-" * w for w in widths) + "\n")


def emit_pairs(pairs: Sequence[tuple[str, Any]]) -> None:
    width = max(display_width(k) for k, _ in pairs)
    for key, value in pairs:
        sys.stdout.write(f"{pad(key, width)}  {'' if value is None else value}\n")


def action_parsers(parser: argparse.ArgumentParser) -> Callable[[str, str], argparse.ArgumentParser]:
    """``ozondesk team add …``-style actions: a maker of sub-parsers that accept ``--db`` (as after
    the command itself) and ``--format``."""
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    parser_class=type(parser))

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        add_format_option(sub)
        return sub

    return action
