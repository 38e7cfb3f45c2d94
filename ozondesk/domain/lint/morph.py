"""pymorphy3 behind two small doors: lexeme expansion at load time, cached verb checks at run time."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, lru_cache

import pymorphy3

# Parts of speech whose lexeme is headed by an infinitive in OpenCorpora.
_VERBAL = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})


@cache
def analyzer() -> pymorphy3.MorphAnalyzer:
    return pymorphy3.MorphAnalyzer(lang="ru")


def known_grammemes() -> frozenset[str]:
    return frozenset(analyzer().TagClass.KNOWN_GRAMMEMES)


def fold(word: str) -> str:
    return word.lower().replace("ё", "е")


class LemmaError(ValueError):
    """A lemma pattern names a word the dictionary does not know (in that part of speech)."""


def expand(lemma: str, constraints: Iterable[frozenset[str]] = ()) -> frozenset[str]:
    """Every form of ``lemma`` whose tag satisfies all ``constraints`` (each an OR-set).

    The parse is chosen by normal form and, when a constraint names a part of
    speech, by that part of speech: ``parse('дорогой')[0]`` is the noun дорога,
    and taking its lexeme would match road forms instead of the adjective.
    """
    constraints = [c for c in constraints if c]
    wanted_pos = set().union(*constraints) & set(analyzer().TagClass.PARTS_OF_SPEECH)
    target = fold(lemma)
    chosen = []
    for parse in analyzer().parse(lemma):
        if fold(parse.normal_form) != target or not parse.is_known:
            continue
        pos = parse.tag.POS
        if wanted_pos and pos not in wanted_pos and not (pos == "INFN" and wanted_pos & _VERBAL):
            continue
        chosen.append(parse)
    if not chosen:
        raise LemmaError(lemma)
    forms: set[str] = set()
    seen_lexemes: set[tuple[str, str]] = set()
    for parse in chosen:
        key = (parse.normal_form, str(parse.tag.POS))
        if key in seen_lexemes:
            continue
        seen_lexemes.add(key)
        for form in parse.lexeme:
            grammemes = form.tag.grammemes
            if all(c & grammemes for c in constraints):
                forms.add(fold(form.word))
    if not forms:
        raise LemmaError(lemma)
    return frozenset(forms)


@lru_cache(maxsize=65536)
def first_person_future(word: str, excluded: frozenset[str]) -> bool:
    """Whether ``word`` reads as «сделаем / сделаю»: a first-person future indicative verb.

    A form counts when a parse with those grammemes is at least as likely as
    any other reading, so «вернём» counts but words with a rare verbal guess
    do not. ``excluded`` holds lemmas that are discourse, not promises (напомним).
    """
    parses = analyzer().parse(word)
    if not parses:
        return False
    best = parses[0].score
    for parse in parses:
        tag = parse.tag
        if (
            parse.score >= best * 0.99
            and tag.POS == "VERB"
            and "1per" in tag.grammemes
            and "futr" in tag.grammemes
            and "indc" in tag.grammemes
            and parse.is_known
        ):
            return fold(parse.normal_form) not in excluded
    return False


@lru_cache(maxsize=65536)
def states_a_fact(word: str) -> bool:
    """Whether ``word`` is a finite verb that is not our promise: «отправили», «придёт», «пришлите».

    Such a verb ends a promise chain (clauses.py): the date next to it belongs to
    that fact. Short passive participles («одобрен», «оформлен») report a done
    deed as well. As in :func:`first_person_future`, only likely readings count.
    """
    parses = analyzer().parse(word)
    if not parses:
        return False
    best = parses[0].score
    for parse in parses:
        if parse.score < best * 0.99 or not parse.is_known:
            continue
        tag = parse.tag
        if tag.POS == "PRTS":
            return True
        if tag.POS == "VERB":
            return not ("1per" in tag.grammemes and "futr" in tag.grammemes)
    return False


@lru_cache(maxsize=65536)
def passive_participle(word: str) -> bool:
    """«возвращены», «отправлен»: with «будет / будут» the promise has no agent but is one."""
    return any(
        p.tag.POS == "PRTS" and "pssv" in p.tag.grammemes and p.is_known
        for p in analyzer().parse(word)[:1]
    )
