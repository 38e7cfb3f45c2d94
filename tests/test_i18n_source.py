"""Strings Babel cannot see: a `_()` call inside an f-string is never extracted (Python < 3.12
tokenises an f-string as one string), so it would stay English in every catalog."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ozondesk"


def test_no_translation_call_inside_an_f_string() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in ("_", "ngettext")
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    offenders.append(f"{path.relative_to(PACKAGE.parent)}:{inner.lineno}")
    assert offenders == []
