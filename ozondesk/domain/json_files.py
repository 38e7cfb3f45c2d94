"""The JSON files people exchange (template packs, drill sets): read, decoded, parsed, and every
problem reported with its place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ozondesk.errors import UserError
from ozondesk.i18n import _


class JsonFileError(UserError):
    """A file that cannot be used; ``problems`` lists every issue with its place. Subclasses
    give the sentence in front of the first three problems (:meth:`summary`)."""

    def __init__(self, problems: Sequence[str], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        shown = "; ".join(self.problems[:3])
        if len(self.problems) > 3:
            shown += " " + _("(and {n} more)").format(n=len(self.problems) - 3)
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + self.summary(len(self.problems), shown))

    @staticmethod
    def summary(n: int, problems: str) -> str:
        raise NotImplementedError


def parse_json(text: str, source: str, error: type[JsonFileError]) -> Any:
    """``text`` as JSON; a syntax error raises ``error`` saying where."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(
            [_("not JSON (line {line}, column {col}: {msg})").format(
                line=exc.lineno, col=exc.colno, msg=exc.msg)],
            source,
        ) from None


def read_text(path: Path | str, error: type[JsonFileError]) -> tuple[str, str]:
    """The file's text (UTF-8, a BOM allowed) and its path as the source to report; a missing,
    unreadable or non-UTF-8 file raises ``error``."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise error([_("file not found")], str(p)) from None
    except OSError as exc:
        raise error([exc.strerror or str(exc)], str(p)) from None
    try:
        return raw.decode("utf-8-sig"), str(p)
    except UnicodeDecodeError:
        raise error([_("not UTF-8 text")], str(p)) from None


def write_atomically(path: Path | str, text: str) -> None:
    """Write through a temporary file, so a crash never leaves half a file behind."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p)
