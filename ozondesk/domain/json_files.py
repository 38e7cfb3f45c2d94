"""The JSON files people exchange (template packs, drill sets): read, decoded, parsed, and every
problem reported with its place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ozondesk.atomic_file import replacing
from ozondesk.errors import UserError
from ozondesk.i18n import _

# Packs and drill sets are hand-made: a few hundred kilobytes. Bigger is the wrong file.
MAX_FILE_BYTES = 20_000_000


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
    except RecursionError:
        raise error([_("nested too deeply to be a pack or a drill set")], source) from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits (CVE-2020-10735).
        raise error([_("holds a number too long to read")], source) from None


def read_text(path: Path | str, error: type[JsonFileError]) -> tuple[str, str]:
    """The file's text (UTF-8, a BOM allowed) and its path as the source to report; a missing,
    unreadable or non-UTF-8 file raises ``error``."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise error([_("{size} MB; a pack or drill set holds at most {max} MB").format(
                size=p.stat().st_size // 1_000_000, max=MAX_FILE_BYTES // 1_000_000)], str(p))
        raw = p.read_bytes()
    except FileNotFoundError:
        raise error([_("file not found")], str(p)) from None
    except OSError as exc:
        raise error([exc.strerror or str(exc)], str(p)) from None
    try:
        return raw.decode("utf-8-sig"), str(p)
    except UnicodeDecodeError:
        raise error([_("not UTF-8 text")], str(p)) from None


def check_target(path: Path | str) -> Path:
    """``path`` if a file can be written there; checked before any work, so a bad target
    changes nothing."""
    p = Path(path)
    if p.is_dir():
        raise UserError(_("{path} is a folder: give a file name, e.g. {example}").format(
            path=p, example=p / "export.json"))
    if not p.parent.is_dir():
        raise UserError(_("folder {folder} does not exist: create it first or choose another").format(
            folder=p.parent))
    return p


def write_atomically(path: Path | str, text: str) -> None:
    """Write through a temporary file, so a crash never leaves half a file behind; a target
    that cannot be written raises ``UserError`` and leaves no temporary file."""
    p = check_target(path)
    try:
        with replacing(p) as temporary:
            temporary.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(_("cannot write {path}: {reason}").format(
            path=p, reason=exc.strerror or type(exc).__name__)) from None
