"""Russian reply linter: vague promises, missing deadlines, policy and tone problems.

``lint(text, context)`` runs the shipped rules (``resources/lint/rules-ru.json``);
build a :class:`Linter` with :meth:`Linter.from_files` to add a lead's rule files.
Rules are data; this package holds the matching machinery only. No Qt here.
"""

from __future__ import annotations

from functools import cache

from ozondesk.domain.lint.linter import Linter
from ozondesk.domain.lint.model import BLOCKING, CalendarLike, Finding, LintContext, Severity
from ozondesk.domain.lint.rules import RuleFileError, RuleSet, default_rules_path, load_rules


@cache
def default_linter() -> Linter:
    """The shipped rules, compiled once per process."""
    return Linter.from_files()


def lint(text: str, context: LintContext | None = None) -> list[Finding]:
    """Findings for one reply, in text order. Quoted buyer lines (``> …``) are skipped."""
    return default_linter().lint(text, context)


def blocking(findings: list[Finding]) -> bool:
    """Whether any finding is an error or a warning (the reply should not go out as is)."""
    return any(f.severity in BLOCKING for f in findings)


__all__ = [
    "BLOCKING",
    "CalendarLike",
    "Finding",
    "LintContext",
    "Linter",
    "RuleFileError",
    "RuleSet",
    "Severity",
    "blocking",
    "default_linter",
    "default_rules_path",
    "lint",
    "load_rules",
]
