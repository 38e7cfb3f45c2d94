"""Rule files: loading, validating and merging the data the linter runs on.

A rule file is JSON: ``{"version": "...", "rules": [...]}``. The shipped file is
``resources/lint/rules-ru.json``; a lead's extra files are merged on top of it,
rule by rule: a rule with a new id is added, one with an existing id has the
given fields replaced, and ``"disabled": true`` drops it. Every problem is
reported at once, with its place (``extra.json: rules[3].phrases[1]: …``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

import regex

from ozondesk.domain.lint.model import SEVERITIES, Severity
from ozondesk.domain.lint.patterns import Pattern, PatternError, parse_pattern
from ozondesk.errors import UserError
from ozondesk.i18n import _, language
from ozondesk.resources import resource_path

RULE_TYPES = (
    "existence",
    "substitution",
    "occurrence",
    "conditional",
    "length",
    "script",
    "promise-check",
    "time-zone",
    "intent",
)
PROMISE_CHECKS = ("past", "closed-day", "after-deadline")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_COMMON_KEYS = {
    "id", "category", "severity", "type", "message", "suggestion", "description", "disabled",
}  # fmt: skip
_TYPE_KEYS: dict[str, set[str]] = {
    "existence": {"phrases", "regex", "exceptions", "exceptions_regex", "case_sensitive"},
    "substitution": {"swap", "exceptions"},
    "occurrence": {"phrases", "regex", "max", "scope"},
    "conditional": {"exclude_lemmas"},
    "length": {"max"},
    "script": set(),
    "promise-check": {"check"},
    "time-zone": set(),
    "intent": {"phrases", "regex", "exceptions", "markers", "markers_regex"},
}
_TOP_KEYS = {"version", "language", "description", "rules"}


def default_rules_path() -> Path:
    return resource_path("lint", "rules-ru.json")


class RuleFileError(UserError):
    """A rule file is unreadable or invalid; ``problems`` lists every issue with its place."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = len(self.problems) - 5
        if more > 0:
            shown += " " + _("(and {n} more)").format(n=more)
        super().__init__(_("invalid lint rules: {problems}").format(problems=shown))


Localised = Mapping[str, str]


def pick(text: str | Localised | None) -> str:
    """A rule text in the interface language, falling back to English."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(language()) or text.get("en") or next(iter(text.values()), "")


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    type: str
    message: Localised
    suggestion: str | Localised | None
    origin: str
    patterns: tuple[Pattern, ...] = ()
    regexes: tuple[regex.Pattern[str], ...] = ()
    exceptions: tuple[Pattern, ...] = ()
    exception_regexes: tuple[regex.Pattern[str], ...] = ()
    swaps: tuple[tuple[Pattern, str], ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    versions: tuple[tuple[str, str], ...]  # (file, version) in merge order

    @property
    def version(self) -> str:
        return "+".join(v for _, v in self.versions)


def read_rule_file(path: Path | str) -> dict[str, Any]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RuleFileError([f"{p}: {exc.strerror or exc}"]) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RuleFileError([_("{path}: not UTF-8 text").format(path=p)]) from None
    except json.JSONDecodeError as exc:
        raise RuleFileError(
            [
                _("{path}: not JSON (line {line}: {msg})").format(
                    path=p, line=exc.lineno, msg=exc.msg
                )
            ]
        ) from None
    except RecursionError:
        raise RuleFileError([_("{path}: nested too deeply to be a rule file").format(path=p)]) from None
    except ValueError:
        # Python refuses integers of more than 4,300 digits (CVE-2020-10735).
        raise RuleFileError([_("{path}: holds a number too long to read").format(path=p)]) from None
    if not isinstance(data, dict):
        raise RuleFileError([_("{path}: the top level must be an object").format(path=p)])
    return data


def load_rules(paths: Iterable[Path | str]) -> RuleSet:
    """Merge rule files in order (the first is the base) and compile them."""
    documents = [(str(p), read_rule_file(p)) for p in paths]
    return build_rules(documents)


def build_rules(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> RuleSet:
    problems: list[str] = []
    merged: dict[str, tuple[dict[str, Any], str]] = {}
    versions: list[tuple[str, str]] = []
    for name, doc in documents:
        for key in sorted(set(doc) - _TOP_KEYS):
            problems.append(_("{where}: unknown key {key!r}").format(where=name, key=key))
        version = doc.get("version")
        if not isinstance(version, str | int) or isinstance(version, bool) or str(version) == "":
            problems.append(
                _('{where}.version: required, a string such as "1.2.0"').format(where=name)
            )
        else:
            versions.append((name, str(version)))
        rules = doc.get("rules")
        if not isinstance(rules, list):
            problems.append(_("{where}.rules: required, a list of rule objects").format(where=name))
            continue
        seen_here: dict[str, int] = {}
        for i, raw in enumerate(rules):
            where = f"{name}: rules[{i}]"
            if not isinstance(raw, dict):
                problems.append(_("{where}: must be an object").format(where=where))
                continue
            rid = raw.get("id")
            if not isinstance(rid, str) or not _ID_RE.match(rid):
                problems.append(
                    _("{where}.id: required, lowercase letters, digits, '.' and '-'").format(
                        where=where
                    )
                )
                continue
            if rid in seen_here:
                problems.append(
                    _("{where}.id: duplicate id {id!r} (also rules[{other}])").format(
                        where=where, id=rid, other=seen_here[rid]
                    )
                )
                continue
            seen_here[rid] = i
            if rid not in merged and set(raw) <= {"id", "disabled"}:
                problems.append(
                    _("{where}.id: there is no rule {id!r} to disable").format(where=where, id=rid)
                )
                continue
            if rid in merged:
                base, _origin = merged[rid]
                merged[rid] = ({**base, **raw}, where)
            else:
                merged[rid] = (dict(raw), where)
    compiled: list[Rule] = []
    for raw, where in merged.values():
        if raw.get("disabled") is True:
            continue
        rule = _compile(raw, where, problems)
        if rule is not None:
            compiled.append(rule)
    if problems:
        raise RuleFileError(problems)
    return RuleSet(tuple(compiled), tuple(versions))


def _compile(raw: Mapping[str, Any], where: str, problems: list[str]) -> Rule | None:
    start = len(problems)

    def bad(key: str, text: str) -> None:
        problems.append(f"{where}.{key}: {text}")

    rtype = raw.get("type")
    if rtype not in RULE_TYPES:
        bad("type", _("must be one of {choices}").format(choices=", ".join(RULE_TYPES)))
        return None
    for key in sorted(set(raw) - _COMMON_KEYS - _TYPE_KEYS[rtype]):
        bad(key, _("unknown key for a {type} rule").format(type=rtype))
    category = raw.get("category")
    if not isinstance(category, str) or not _ID_RE.match(category):
        bad("category", _('required, a slug such as "vague-time"'))
    severity = raw.get("severity")
    if severity not in SEVERITIES:
        bad("severity", _("must be one of error, warning, info"))
    message = raw.get("message")
    if not _is_localised(message) or "en" not in message:
        bad("message", _('required, an object of texts by language with at least "en"'))
    suggestion = raw.get("suggestion")
    if suggestion is not None and not isinstance(suggestion, str) and not _is_localised(suggestion):
        bad("suggestion", _("must be a text or an object of texts by language"))

    patterns = _patterns(raw, "phrases", where, problems)
    exceptions = _patterns(raw, "exceptions", where, problems)
    regexes = _regexes(raw, "regex", where, problems, bool(raw.get("case_sensitive")))
    exception_regexes = _regexes(raw, "exceptions_regex", where, problems, False)
    swaps: list[tuple[Pattern, str]] = []
    params: dict[str, Any] = {}

    if rtype == "intent":
        # Triggers count only beside a marker (intent.py): both halves are required.
        params["markers"] = _patterns(raw, "markers", where, problems)
        params["markers_regex"] = _regexes(raw, "markers_regex", where, problems, False)
        if not patterns and not regexes:
            bad("phrases", _("an intent rule needs phrases or regex (the trigger words)"))
        if not params["markers"] and not params["markers_regex"]:
            bad("markers", _("an intent rule needs markers: the words that show the intent"))
    if rtype == "existence" and not patterns and not regexes:
        bad("phrases", _("an existence rule needs phrases or regex"))
    elif rtype == "substitution":
        swap = raw.get("swap")
        if not isinstance(swap, dict) or not swap:
            bad("swap", _("required, an object of phrase → replacement"))
        else:
            for phrase, replacement in swap.items():
                if not isinstance(replacement, str):
                    bad(f"swap[{phrase!r}]", _("the replacement must be a text"))
                    continue
                try:
                    swaps.append((parse_pattern(phrase), replacement))
                except PatternError as exc:
                    bad(f"swap[{phrase!r}]", str(exc))
    elif rtype == "occurrence":
        if not patterns and not regexes:
            bad("phrases", _("an occurrence rule needs phrases or regex to count"))
        params["max"] = _int(raw, "max", where, problems, minimum=0)
        scope = raw.get("scope", "reply")
        if scope not in ("reply", "sentence"):
            bad("scope", _('must be "reply" or "sentence"'))
        params["scope"] = scope
    elif rtype == "length":
        params["max"] = _int(raw, "max", where, problems, minimum=1)
    elif rtype == "conditional":
        lemmas = raw.get("exclude_lemmas", [])
        if not isinstance(lemmas, list) or not all(isinstance(x, str) for x in lemmas):
            bad("exclude_lemmas", _("must be a list of lemmas"))
            lemmas = []
        params["exclude_lemmas"] = frozenset(x.lower().replace("ё", "е") for x in lemmas)
    elif rtype == "promise-check":
        check = raw.get("check")
        if check not in PROMISE_CHECKS:
            bad("check", _("must be one of {choices}").format(choices=", ".join(PROMISE_CHECKS)))
        params["check"] = check
    # The checks above reported any of these; here they only narrow the types.
    if len(problems) > start or not _is_severity(severity) or not _is_localised(message):
        return None
    return Rule(
        id=str(raw["id"]),
        category=str(category),
        severity=severity,
        type=rtype,
        message=dict(message),
        suggestion=suggestion,
        origin=where,
        patterns=tuple(patterns),
        regexes=tuple(regexes),
        exceptions=tuple(exceptions),
        exception_regexes=tuple(exception_regexes),
        swaps=tuple(swaps),
        params=params,
    )


def _is_severity(value: Any) -> TypeGuard[Severity]:
    return value in SEVERITIES


def _is_localised(value: Any) -> TypeGuard[dict[str, str]]:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(k, str) and isinstance(v, str) and v for k, v in value.items())
    )


def _strings(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        problems.append(f"{where}.{key}: " + _("must be a list of texts"))
        return []
    return value


def _patterns(raw: Mapping[str, Any], key: str, where: str, problems: list[str]) -> list[Pattern]:
    out = []
    for j, source in enumerate(_strings(raw, key, where, problems)):
        try:
            out.append(parse_pattern(source))
        except PatternError as exc:
            problems.append(f"{where}.{key}[{j}]: {exc}")
    return out


# A lead's rule file may hold a pattern that backtracks for ever on some reply, such as
# «^(а+)+$». Rule regexes run on the ``regex`` module (which avoids most catastrophic
# backtracking by itself) and every search has a time limit (linter.py); a pattern that
# already runs past it on these probes is refused when the file is loaded.
REGEX_TIMEOUT_S = 0.25
_PROBES = ("а" * 64 + "!", "a" * 64 + "!", "а " * 32 + "!", "8" * 5_000, "a" * 5_000,
           "a." * 2_500, " " * 5_000, "@" * 2_500 + "a" * 2_500)


def _regexes(
    raw: Mapping[str, Any], key: str, where: str, problems: list[str], case_sensitive: bool
) -> list[regex.Pattern[str]]:
    out = []
    for j, source in enumerate(_strings(raw, key, where, problems)):
        try:
            compiled = regex.compile(source, regex.V0 if case_sensitive else regex.V0 | regex.IGNORECASE)
        except regex.error as exc:
            problems.append(f"{where}.{key}[{j}]: " + _("bad regex: {error}").format(error=exc))
            continue
        try:
            for probe in _PROBES:
                for _m in compiled.finditer(probe, timeout=REGEX_TIMEOUT_S):
                    pass
        except TimeoutError:
            problems.append(f"{where}.{key}[{j}]: " + _(
                "this regex takes too long on some texts (a repeat inside a repeat, such as (а+)+?): "
                "rewrite it"))
            continue
        out.append(compiled)
    return out


def _int(raw: Mapping[str, Any], key: str, where: str, problems: list[str], minimum: int) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        problems.append(f"{where}.{key}: " + _("required, a whole number ≥ {n}").format(n=minimum))
        return minimum
    return value
