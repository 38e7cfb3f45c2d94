"""Compliance flags for an order's items: which documents and markings their category needs.

The rules are data (``resources/compliance/categories-ru.json``): each category lists
keywords found in product names and the requirements it brings (a declaration of
conformity, «Честный знак» marking, a Russian label…). A requirement carries a short
explanation in each interface language and, when the starter library has one, the
slug of the template that answers a buyer asking about it.

Keywords are dictionary lemmas expanded to every inflected form once, at load time,
with pymorphy3 (so «кроссовок» matches «Кроссовки», «ребёнок» matches «для детей»);
``word*`` is a prefix for loanwords the dictionary lacks, ``=word`` one exact word.
A keyword of several words matches them in a row. Matching an item is then a set
lookup per token: no morphological analysis happens per product name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ozondesk.domain.lint.morph import LemmaError, expand, fold
from ozondesk.errors import UserError
from ozondesk.i18n import _, language
from ozondesk.resources import resource_path

Localised = Mapping[str, str]

# Letters and digits, Cyrillic or Latin; a hyphen splits «смарт-часы» into two words.
_WORD_RE = re.compile(r"[0-9a-zа-яё]+", re.IGNORECASE)


def default_rules_path() -> Path:
    return resource_path("compliance", "categories-ru.json")


def pick(text: Localised) -> str:
    """``text`` in the interface language, falling back to English."""
    return text.get(language()) or text.get("en") or next(iter(text.values()), "")


def words(text: str) -> tuple[str, ...]:
    """Folded words of ``text`` (lower case, ё as е)."""
    return tuple(fold(w) for w in _WORD_RE.findall(text))


@dataclass(frozen=True)
class Term:
    """One word of a keyword: a set of exact forms, or a prefix."""

    forms: frozenset[str] = frozenset()
    prefix: str | None = None

    def matches(self, word: str) -> bool:
        return word in self.forms or (self.prefix is not None and word.startswith(self.prefix))


@dataclass(frozen=True)
class Keyword:
    text: str
    terms: tuple[Term, ...]

    def find(self, tokens: Sequence[str]) -> bool:
        n = len(self.terms)
        return any(
            all(term.matches(tokens[i + k]) for k, term in enumerate(self.terms))
            for i in range(len(tokens) - n + 1)
        )


@dataclass(frozen=True)
class Requirement:
    id: str
    title: Localised
    explain: Localised
    template: str | None


@dataclass(frozen=True)
class Category:
    id: str
    title: Localised
    keywords: tuple[Keyword, ...]
    exclude: tuple[Keyword, ...]
    requirements: tuple[str, ...]

    def keyword_in(self, tokens: Sequence[str]) -> str | None:
        """The first keyword found in ``tokens``, unless an excluding word is there too."""
        if any(k.find(tokens) for k in self.exclude):
            return None
        return next((k.text for k in self.keywords if k.find(tokens)), None)


@dataclass(frozen=True)
class Rules:
    requirements: Mapping[str, Requirement]
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class Match:
    """Why a flag is raised: ``item`` belongs to ``category`` because it names ``keyword``."""

    category: str
    category_title: Localised
    item: str
    keyword: str


@dataclass(frozen=True)
class ComplianceFlag:
    requirement: str
    title: Localised
    explain: Localised
    template: str | None
    matches: tuple[Match, ...]


class ComplianceRulesError(UserError):
    pass


def _localised(raw: Any, where: str) -> Localised:
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("en"), str)
        or not all(isinstance(v, str) and v.strip() for v in raw.values())
    ):
        raise ComplianceRulesError(
            _('compliance rules: {where} needs an object of texts by language with at least "en"').format(
                where=where
            )
        )
    return dict(raw)


def _term(word: str, where: str) -> Term:
    if word.startswith("="):
        return Term(forms=frozenset({fold(word[1:])}))
    if word.endswith("*"):
        return Term(prefix=fold(word[:-1]))
    try:
        return Term(forms=expand(word))
    except LemmaError:
        raise ComplianceRulesError(
            _(
                "compliance rules: {where}: the dictionary does not know the lemma {word!r};"
                " write ={word} for that exact word or a prefix with *"
            ).format(where=where, word=word)
        ) from None


def _keywords(raw: Any, where: str) -> tuple[Keyword, ...]:
    if not isinstance(raw, list) or not all(isinstance(k, str) and k.split() for k in raw):
        raise ComplianceRulesError(
            _("compliance rules: {where} must be a list of words").format(where=where)
        )
    return tuple(Keyword(k, tuple(_term(w, where) for w in k.split())) for k in raw)


def parse_rules(data: Any) -> Rules:
    """Rules from the decoded JSON; a :class:`ComplianceRulesError` names the first problem."""
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), dict) or not isinstance(
        data.get("categories"), list
    ):
        raise ComplianceRulesError(
            _('compliance rules: need "requirements" (an object) and "categories" (a list)')
        )
    requirements: dict[str, Requirement] = {}
    for rid, raw in data["requirements"].items():
        where = _("requirement {id}").format(id=rid)
        if not isinstance(raw, dict):
            raise ComplianceRulesError(_("compliance rules: {where} must be an object").format(where=where))
        template = raw.get("template")
        if template is not None and not isinstance(template, str):
            raise ComplianceRulesError(
                _("compliance rules: {where}: template must be a slug").format(where=where)
            )
        requirements[rid] = Requirement(
            rid, _localised(raw.get("title"), where), _localised(raw.get("explain"), where), template
        )
    categories: list[Category] = []
    for raw in data["categories"]:
        cid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(cid, str) or not cid:
            raise ComplianceRulesError(_("compliance rules: every category needs an id"))
        where = _("category {id}").format(id=cid)
        needs = raw.get("requirements")
        if not isinstance(needs, list) or not needs:
            raise ComplianceRulesError(
                _("compliance rules: {where} needs a list of requirements").format(where=where)
            )
        unknown = [r for r in needs if r not in requirements]
        if unknown:
            raise ComplianceRulesError(
                _("compliance rules: {where} names unknown requirements: {names}").format(
                    where=where, names=", ".join(map(str, unknown))
                )
            )
        categories.append(
            Category(
                cid,
                _localised(raw.get("title"), where),
                _keywords(raw.get("keywords"), where),
                _keywords(raw.get("exclude", []), where),
                tuple(needs),
            )
        )
    return Rules(requirements, tuple(categories))


def load_rules(path: Path | str) -> Rules:
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ComplianceRulesError(
            _("cannot read compliance rules {path}: {error}").format(path=p, error=exc.strerror or exc)
        ) from None
    except ValueError as exc:
        raise ComplianceRulesError(
            _("compliance rules {path} are not valid JSON: {error}").format(path=p, error=exc)
        ) from None
    return parse_rules(data)


@cache
def default_rules() -> Rules:
    return load_rules(default_rules_path())


def flags(names: Iterable[str], rules: Rules | None = None) -> tuple[ComplianceFlag, ...]:
    """One flag per requirement the items' categories bring, in rule-file order of requirements."""
    rules = rules or default_rules()
    found: dict[str, list[Match]] = {}
    for name in names:
        tokens = words(name)
        for category in rules.categories:
            keyword = category.keyword_in(tokens)
            if keyword is None:
                continue
            for rid in category.requirements:
                found.setdefault(rid, []).append(Match(category.id, category.title, name, keyword))
    return tuple(
        ComplianceFlag(r.id, r.title, r.explain, r.template, tuple(found[r.id]))
        for r in rules.requirements.values()
        if r.id in found
    )
