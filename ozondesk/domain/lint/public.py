"""Rules for replies every shopper reads: answers to product questions and comments on reviews.

A chat reply reaches one buyer; a public reply stays on the product page for everyone. So on top
of the chat rules it must not show:

- the buyer's personal data: a phone number, an e-mail address, the buyer's name as the
  platform gave it, or any full name with a patronymic (Иванов Иван Иванович);
- order, posting or tracking numbers (they identify a buyer's purchase);
- internal names: the names and logins of the people on the team;
- blame or argument with the buyer in front of other shoppers («вы сами виноваты», «читайте
  внимательнее», …).

Each finding is an error: the composer keeps Send disabled until it is fixed. Offsets index the
text as given, like the main linter's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ozondesk.domain.lint.model import Finding
from ozondesk.domain.lint.text import mask_quotes, normalise
from ozondesk.domain.public_reply import ANONYMOUS_AUTHORS, PUBLIC_KINDS
from ozondesk.i18n import _

_PHONE = re.compile(
    r"(?<![\w+])(?:\+7|8|7)[\s\-\u00a0]*\(?\d{3}\)?[\s\-\u00a0]*\d{3}[\s\-\u00a0]*\d{2}[\s\-\u00a0]*\d{2}(?!\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Фамилия Имя Отчество or Имя Отчество Фамилия: the patronymic gives a full name away.
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:ович|евич|ьич|овна|евна|ична|инична)"
_WORD = r"[А-ЯЁ][а-яё]+"
_FULL_NAME = re.compile(
    rf"(?<![\w-])(?:{_WORD}\s+{_WORD}\s+{_PATRONYMIC}|{_WORD}\s+{_PATRONYMIC}\s+{_WORD})(?![\w-])"
)
# Ozon order numbers (12345678-0012), posting numbers (12345678-0012-1) and the order ids.
_ORDER = re.compile(r"(?<![\w-])\d{5,10}-\d{4}(?:-\d{1,3})?(?![\w-])")
# Tracking numbers: UPU (RA123456789CN), Ozon's own (OZ100000123RU), long digit runs
# (a carrier's 10+ digit number), and anything said to be one.
_TRACKING = re.compile(
    r"(?<![\w])(?:[A-Z]{2}\d{9}[A-Z]{2}|\d{10,})(?![\w])"
    r"|(?i:(?:трек(?:-|\s)?номер\w*|номер\w*\s+(?:заказа|отправления|посылки)|заказ\w*)"
    r"\s*(?:№|#|:|-)?\s*[A-Za-z0-9][A-Za-z0-9-]{4,})"
)
# Said right before a number, these make it the product's code (SKUs have up to 10 digits).
_PRODUCT_CODE = re.compile(r"(?:артикул\w*|sku|ску|код товара)\s*(?:№|#|:)?\s*$")
_BLAME_PHRASES = (
    r"вы\s+сами\s+виноват\w*",
    r"сами\s+виноват\w*",
    r"(?:это\s+)?ваш[аеи]?\s+(?:вина|ошибка)",
    r"по\s+вашей\s+(?:вине|ошибке)",
    r"вы\s+(?:сами\s+)?(?:неправильно|не\s+правильно|невнимательно|не\s+внимательно)",
    r"(?:читайте|прочитайте|смотрите|изучите)\s+(?:внимательнее|внимательно)",
    r"внимательнее\s+(?:читайте|смотрите)",
    r"надо\s+было\s+(?:читать|смотреть|думать)",
    r"вы\s+(?:не\s+правы|неправы|ошибаетесь|путаете|врете|лжете|обманываете)",
    r"не\s+(?:выдумывайте|врите|обманывайте|придумывайте)",
    r"вы\s+(?:не\s+)?(?:разобрались|поняли)\s+сами",
    r"вы\s+(?:ничего\s+)?не\s+поняли",
    r"учите\s+матчасть",
    r"сами\s+(?:сломали|испортили|повредили)",
    r"(?:это\s+)?ваши\s+проблемы",
)
_BLAME = re.compile(r"(?<!\w)(?:" + "|".join(_BLAME_PHRASES) + r")(?!\w)")


@dataclass(frozen=True)
class PublicContext:
    """What the rules need to know: the buyer's name as the platform shows it, and the team's
    names and logins (never to be shown to shoppers)."""

    buyer_name: str | None = None
    team_names: tuple[str, ...] = ()


def _finding(rule: str, category: str, start: int, end: int, text: str, message: str,
             suggestion: str = "") -> Finding:
    return Finding(rule, category, "error", start, end, text[start:end], message, suggestion)


def _word_pattern(name: str) -> re.Pattern[str] | None:
    words = normalise(name).split()
    if not words or sum(len(w) for w in words) < 3:
        return None
    body = r"[\s\u00a0]+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w.@-]){body}(?![\w@-])")


def lint_public(text: str, context: PublicContext | None = None) -> list[Finding]:
    """Findings of the public-reply rules, in text order; quoted lines (``> …``) are skipped."""
    context = context or PublicContext()
    masked = mask_quotes(text)
    norm = normalise(masked)
    out: list[Finding] = []
    for m in _PHONE.finditer(masked):
        out.append(_finding("public.personal-data.phone", "personal-data", m.start(), m.end(), text,
                            _("A phone number in a public reply: every shopper would see it.")))
    for m in _EMAIL.finditer(masked):
        out.append(_finding("public.personal-data.email", "personal-data", m.start(), m.end(), text,
                            _("An e-mail address in a public reply: every shopper would see it.")))
    for m in _FULL_NAME.finditer(masked):
        out.append(_finding("public.personal-data.full-name", "personal-data", m.start(), m.end(),
                            text, _("A full name in a public reply: write to the buyer without it.")))
    buyer = (context.buyer_name or "").strip()
    if buyer and normalise(buyer) not in ANONYMOUS_AUTHORS:
        pattern = _word_pattern(buyer)
        for m in pattern.finditer(norm) if pattern else ():
            out.append(_finding("public.personal-data.buyer-name", "personal-data", m.start(),
                                m.end(), text,
                                _("The buyer's name in a public reply: greet without it.")))
    phone_spans = [(f.start, f.end) for f in out if f.rule == "public.personal-data.phone"]
    numbers: list[tuple[int, int, str, str]] = []
    for rx, rule, message in (
        (_ORDER, "public.order-number",
         _("An order or posting number in a public reply: it identifies the buyer's purchase.")),
        (_TRACKING, "public.tracking-number",
         _("A tracking or order number in a public reply: keep it for the chat with the buyer.")),
    ):
        numbers.extend((m.start(), m.end(), rule, message) for m in rx.finditer(masked))
    # One finding per number: the widest span («заказ 38429571-0012-1») covers the bare number,
    # and a phone number is the phone rule's.
    kept: list[tuple[int, int]] = list(phone_spans)
    for start, end, rule, message in sorted(numbers, key=lambda n: (n[0], -(n[1] - n[0]))):
        if any(start < e and s < end for s, e in kept):
            continue
        if _PRODUCT_CODE.search(norm[max(0, start - 24):start]):
            continue  # an SKU or article number names the product, not a purchase
        kept.append((start, end))
        if rule != "public.order-number" and _ORDER.search(masked, start, end):
            rule, message = "public.order-number", _(
                "An order or posting number in a public reply: it identifies the buyer's purchase."
            )
        out.append(_finding(rule, "order-number", start, end, text, message))
    for name in dict.fromkeys(n for n in context.team_names if n and n.strip()):
        pattern = _word_pattern(name)
        for m in pattern.finditer(norm) if pattern else ():
            out.append(_finding("public.internal-name", "internal-name", m.start(), m.end(), text,
                                _("A team member's name or login in a public reply: sign as the shop.")))
    for m in _BLAME.finditer(norm):
        out.append(_finding(
            "public.blame", "blame", m.start(), m.end(), text,
            _("Blaming or arguing with the buyer in front of other shoppers: explain calmly what "
              "helps, and offer to sort it out."),
        ))
    out.sort(key=lambda f: (f.start, f.end, f.rule))
    return out


def lint_reply_for(
    kind: str | None, findings: Iterable[Finding], text: str, context: PublicContext | None
) -> list[Finding]:
    """The chat linter's ``findings`` plus, for a question or review, the public-reply rules."""
    merged = list(findings)
    if kind in PUBLIC_KINDS:
        merged.extend(lint_public(text, context))
        merged.sort(key=lambda f: (f.start, f.end, f.rule))
    return merged
