"""What must not go to a translation engine, or must come back from it unchanged.

Before a text is sent, ``protect`` replaces
- personal data (phone numbers, e-mail addresses, Ozon order and posting numbers, bank-card
  numbers, other long numbers, people's names and postal addresses, where they are detectable),
- template placeholders (``{deadline_msk}``) and concrete Moscow deadlines and dates
  («до 18:00 МСК сегодня», «4 декабря», «04.12.2026»),
- glossary terms (the lead's fixed translations),
by numbered empty tags ``<x i="1"/>`` in an HTML/XML text; ``restore`` puts the originals (or, for
a glossary term, the other language's term) back into what the engine returned. Every engine
is asked to treat the text as markup (Yandex ``format: HTML``, LibreTranslate ``format: html``,
DeepL ``tag_handling: xml``), and all three keep empty tags where they belong in the sentence,
whereas bracketed tokens such as ``[1]`` or ``⟦1⟧`` get translated, respaced or dropped. Line
breaks travel as ``<br/>`` for the same reason.

Limits, honestly: names are found only where the text says so (a full name with a
patronymic, «меня зовут …», «ФИО: …», a greeting or a signature with a capitalised word) — a
lone surname in the middle of a sentence goes through; addresses only from their markers
(«ул.», «д.», «кв.», «г.», a six-digit postcode …), not a bare «Ленина 5»; glossary terms match
whole words case-insensitively with Russian endings allowed (the restored Russian term is in its
glossary form, whatever case the sentence needs).

Pure: no Qt, no SQL, no network.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

Lang = Literal["ru", "zh"]

# The kinds of personal data, as reported in ``Protected.masked`` (in this order).
PERSONAL_KINDS = ("email", "phone", "card", "order_number", "number", "name", "address")
OTHER_KINDS = ("placeholder", "deadline", "glossary")

TOKEN = re.compile(r"""<\s*x\s+i\s*=\s*["']?(\d+)["']?\s*/?\s*>(?:\s*<\s*/\s*x\s*>)?""", re.I)
BREAK = re.compile(r"<\s*br\s*/?\s*>", re.I)
_ANY_TAG = re.compile(r"</?\s*[a-z][^<>]*>", re.I)

_MONTHS = ("января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря")
_WEEKDAYS = ("понедельник[а]?|вторник[а]?|сред[уы]|четверг[а]?|пятниц[уы]|суббот[уы]|воскресень[ея]")
_CAP = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"

# Longest and most specific first: an e-mail holds digits a phone pattern would take.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("placeholder", re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")),
    ("email", re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.U)),
    # Ozon: order 12345678-0001, posting 12345678-0001-1 (also with more digits).
    ("order_number", re.compile(r"(?<![\d-])\d{6,12}-\d{4}(?:-\d{1,3})?(?![\d-])")),
    # Russian mobile and landline numbers, and any +country number (Chinese +86 ...).
    ("phone", re.compile(
        r"(?<![\w+])(?:(?:\+7|8)[\s\-]?\(?\d{3}\)?[\s\-]?\d{3}[\s\-]?\d{2}[\s\-]?\d{2}"
        r"|\+\d{1,3}[\s\-]?\(?\d{2,4}\)?(?:[\s\-]?\d{2,4}){2,4})(?!\d)"
    )),
    ("card", re.compile(r"(?<!\d)\d{4}(?:[ \-]?\d{4}){3}(?:\d{1,3})?(?!\d)")),
    # Deadlines and dates: kept exact, whichever way the text goes.
    ("deadline", re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})(?![\d.])")),
    ("deadline", re.compile(
        r"(?:(?:до|к|в|с|по|не позднее)\s+)?(?:\d{1,2}[:.]\d{2}|\d{1,2}\s*(?:часов|часа|час|ч)\.?(?![а-яё]))"
        r"(?:\s*(?:\(?МСК\)?|мск|по\s+московскому\s+времени|по\s+Москве|по\s+МСК))?"
        r"(?:\s+(?:сегодня|завтра|послезавтра|(?:в\s+)?(?:" + _WEEKDAYS + r")"
        r"|\d{1,2}\s+(?:" + _MONTHS + r")(?:\s+\d{4}(?:\s*г\.?)?)?))?",
        re.I,
    )),
    ("deadline", re.compile(
        r"(?:(?:до|к|с|по|не позднее)\s+)?\d{1,2}\s+(?:" + _MONTHS + r")(?:\s+\d{4}(?:\s*г(?:ода|\.)?)?)?",
        re.I,
    )),
    ("number", re.compile(r"(?<![\w-])\d{7,}(?![\w-])")),
    ("name", re.compile(
        # A full name with a patronymic, in either order.
        r"(?:" + _CAP + r"\s+)?" + _CAP + r"\s+[А-ЯЁ][а-яё]+(?:ович|евич|ич|овна|евна|ична|инична)\b"
        r"(?:\s+" + _CAP + r")?"
    )),
    ("address", re.compile(
        r"(?:(?<!\d)\d{6},?\s*)?"
        r"(?:(?:г|гор|пос|ул|пр|пр-т|просп|пер|ш|наб|бул|б-р|пл|мкр|д|корп|стр|кв|обл|р-н)\.\s*"
        r"|(?:город|улица|проспект|переулок|шоссе|набережная|бульвар|площадь|микрорайон|дом|"
        r"квартира|корпус|строение|область|район)\s+)"
        r"(?:[А-ЯЁ0-9][А-ЯЁа-яё0-9/\-]*)(?:\s+[А-ЯЁ][а-яё\-]+)*"
        r"(?:,?\s*(?:(?:г|ул|пр|пр-т|просп|пер|ш|наб|бул|пл|мкр|д|корп|стр|кв|к|обл|р-н)\.\s*"
        r"|(?:дом|квартира|корпус|строение|подъезд|этаж)\s+)[А-ЯЁ0-9][А-ЯЁа-яё0-9/\-]*"
        r"(?:\s+[А-ЯЁ][а-яё\-]+)*)*"
    )),
    ("address", re.compile(r"(?<!\d)\d{6}(?!\d)(?=,?\s*(?:г\.|город|[А-ЯЁ][а-яё]+ская))")),
)
# Names the text introduces: only the introduced words are masked, not the cue.
_NAME_CUES = re.compile(
    r"(?i:меня зовут|зовут меня|моё имя|мое имя|имя|фио|получатель|покупатель|"
    r"с уважением,?|здравствуйте,|добрый (?:день|вечер),|доброе утро,|привет,|уважаемая|уважаемый)"
    r"[:\s]\s*((?:" + _CAP + r")(?:\s+" + _CAP + r"){0,2})",
)
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True)
class Protected:
    """``text`` is what may go to an engine; ``originals[i]`` what token ``i`` stands for."""

    text: str
    originals: tuple[str, ...]
    replacements: tuple[str, ...]  # what each token becomes in the translation
    kinds: tuple[str, ...]

    @property
    def masked(self) -> tuple[str, ...]:
        """The kinds of personal data kept home, each once, in ``PERSONAL_KINDS`` order."""
        found = set(self.kinds)
        return tuple(kind for kind in PERSONAL_KINDS if kind in found)


@dataclass(frozen=True)
class Restored:
    text: str
    lost: tuple[int, ...]  # tokens the engine dropped: their originals were appended


def _stem(word: str) -> str:
    """A Russian word with room for its case ending: «выдачи» also matches «выдача»."""
    return re.escape(_fixed(word)) + (r"[а-яё]{0,3}" if _fixed(word) != word else "")


def _fixed(word: str) -> str:
    """The part of a word every form keeps: a Russian word without its last letters."""
    ending = 2 if len(word) >= 5 else 1 if len(word) >= 4 else 0
    if ending and re.fullmatch(r"[А-Яа-яЁё]+", word[-ending:]):
        return word[:-ending]
    return word


@functools.lru_cache(maxsize=4096)  # a glossary of hundreds of terms, matched on every message
def _term_pattern(term: str) -> re.Pattern[str]:
    words = term.split()
    if _CYRILLIC.search(term):
        body = r"\s+".join(_stem(w) for w in words)
        return re.compile(r"(?<![\wА-Яа-яЁё])" + body + r"(?![\wА-Яа-яЁё])", re.I)
    # Chinese has no spaces between words: the term itself, wherever it stands; a Latin name
    # (a brand) as a whole word, even beside Chinese.
    body = r"\s*".join(re.escape(w) for w in words)
    if re.search(r"[A-Za-z0-9]", term):
        body = r"(?<![A-Za-z0-9])" + body + r"(?![A-Za-z0-9])"
    return re.compile(body, re.I)


@functools.lru_cache(maxsize=4096)
def _probe(term: str) -> str:
    """A piece of ``term`` every match contains (lower case): its first word's stem."""
    return _fixed(term.split()[0]).lower()


def _spans(text: str, glossary: Sequence[tuple[str, str]]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, replacement) of every protected span, non-overlapping, in order."""
    found: list[tuple[int, int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, kind: str, replacement: str) -> None:
        if end > start and free(start, end):
            found.append((start, end, kind, replacement))
            taken.append((start, end))

    for kind, pattern in _PATTERNS[:1]:
        for m in pattern.finditer(text):
            add(m.start(), m.end(), kind, m.group())
    # Glossary terms before personal data: a brand name is not a person's name. Longest first.
    terms = {source.strip(): target for source, target in glossary if source.strip()}
    lowered = text.lower()
    # A glossary may hold hundreds of terms: only those whose first stem occurs are matched.
    for source in sorted(terms, key=lambda t: (-len(t), t)):
        if _probe(source) in lowered:
            for m in _term_pattern(source).finditer(text):
                add(m.start(), m.end(), "glossary", terms[source])
    for kind, pattern in _PATTERNS[1:]:
        for m in pattern.finditer(text):
            start = m.start()
            stripped = m.group().rstrip(" ,")
            add(start, start + len(stripped), kind, stripped)
    for m in _NAME_CUES.finditer(text):
        add(m.start(1), m.end(1), "name", m.group(1))
    return sorted(found)


def protect(text: str, glossary: Sequence[tuple[str, str]] = ()) -> Protected:
    """``text`` as markup for an engine, with what must not be sent or changed replaced by tokens.

    ``glossary`` holds (term in the text's language, term in the other language) pairs.
    The same original gets the same token each time it occurs, so the engine sees a repeated
    phone number as one thing.
    """
    spans = _spans(text, glossary)
    parts: list[str] = []
    originals: list[str] = []
    replacements: list[str] = []
    kinds: list[str] = []
    index: dict[tuple[str, str], int] = {}
    pos = 0
    for start, end, kind, replacement in spans:
        parts.append(_escape(text[pos:start]))
        original = text[start:end]
        key = (kind, original)
        if key not in index:
            index[key] = len(originals) + 1
            originals.append(original)
            replacements.append(replacement)
            kinds.append(kind)
        parts.append(f'<x i="{index[key]}"/>')
        pos = end
    parts.append(_escape(text[pos:]))
    return Protected("".join(parts), tuple(originals), tuple(replacements), tuple(kinds))


def _escape(plain: str) -> str:
    return html.escape(plain, quote=False).replace("\r\n", "\n").replace("\n", "<br/>")


def restore(translated: str, protected: Protected) -> Restored:
    """The engine's markup as plain text, each token replaced by its original (or glossary term).

    A token the engine dropped is not lost: its original is appended at the end, so a phone
    number or a deadline never silently disappears from a translation.
    """
    seen: set[int] = set()

    def put_back(m: re.Match[str]) -> str:
        number = int(m.group(1))
        if not 1 <= number <= len(protected.replacements):
            return ""
        seen.add(number)
        return "\x00" + str(number) + "\x00"

    text = TOKEN.sub(put_back, translated)
    text = BREAK.sub("\n", text)
    text = _ANY_TAG.sub("", text)  # an engine's stray markup, never ours
    text = html.unescape(text)
    text = re.sub(
        "\x00(\\d+)\x00", lambda m: protected.replacements[int(m.group(1)) - 1], text
    )
    lost = tuple(i for i in range(1, len(protected.replacements) + 1) if i not in seen)
    if lost:
        text = text.rstrip() + " " + " ".join(protected.replacements[i - 1] for i in lost)
    return Restored(text, lost)


def plain_preview(protected: Protected, name: Callable[[str], str] = str) -> str:
    """What is sent, readable: tokens shown as ``[phone 4]``, ``[deadline 2]``; for Settings.
    ``name`` turns a kind into the word shown (the interface language's)."""

    def label(m: re.Match[str]) -> str:
        number = int(m.group(1))
        kind = protected.kinds[number - 1] if 1 <= number <= len(protected.kinds) else "?"
        return f"[{name(kind)} {number}]"

    return html.unescape(BREAK.sub("\n", TOKEN.sub(label, protected.text)))


_UNIT_END = re.compile(r"<br/>|(?<=[.!?…])\s+|(?<=[。！？])")


def split_markup(markup: str, limit: int) -> list[str]:
    """``markup`` cut into pieces of at most ``limit`` characters (an engine's per-request
    limit), at line breaks and sentence ends, never inside a tag; joined they give it back.

    A sentence longer than ``limit`` is cut at the last space (or tag end) before it.
    """
    if len(markup) <= limit:
        return [markup] if markup else []
    units: list[str] = []
    pos = 0
    for m in _UNIT_END.finditer(markup):
        if m.end() > pos:
            units.append(markup[pos:m.end()])
            pos = m.end()
    if pos < len(markup):
        units.append(markup[pos:])
    pieces: list[str] = []
    current = ""
    for unit in units:
        while len(unit) > limit:
            cut = _cut_point(unit, limit)
            if current:
                pieces.append(current)
                current = ""
            pieces.append(unit[:cut])
            unit = unit[cut:]
        if len(current) + len(unit) > limit:
            pieces.append(current)
            current = ""
        current += unit
    if current:
        pieces.append(current)
    return pieces


def _cut_point(unit: str, limit: int) -> int:
    """Where to cut ``unit`` at or before ``limit``: after the last space or tag outside a tag,
    else before a tag the limit falls into, else (one long word) at the limit."""
    inside, last_ok, last_open = False, 0, -1
    for i, ch in enumerate(unit[:limit]):
        if ch == "<":
            inside, last_open = True, i
        elif ch == ">":
            inside, last_ok = False, i + 1
        elif ch == " " and not inside:
            last_ok = i + 1
    if last_ok > 0:
        return last_ok
    if inside and last_open > 0:
        return last_open
    return limit
