"""Reply templates: a Russian body with placeholders, filled from a conversation.

Placeholders are a fixed, documented set (:data:`PLACEHOLDERS`); anything else
in braces, or a placeholder left without a value, is an error before sending.
Dates, times, money and plural forms are formatted for Russian with Babel
whatever the interface language, because the text goes to a Russian buyer.
``{{`` and ``}}`` stand for literal braces.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from babel import Locale
from babel.dates import format_date, format_time, format_timedelta
from babel.numbers import format_currency

from ozondesk.domain.clock import MOSCOW, as_utc, to_msk
from ozondesk.errors import UserError
from ozondesk.i18n import _

CATEGORIES: tuple[str, ...] = (
    "returns",
    "logistics-delay",
    "counterfeit-complaint",
    "size-and-fit",
    "payment",
    "compliance-documents",
    "greeting-closing",
    "order-status",
    "quality",
    # Comments sent with a decision on an rFBS return request or a conditional cancellation.
    "return-decision",
    "cancellation-reply",
    "other",
    # Public replies: answers to product questions and comments on reviews.
    "question",
    "review",
    # E-mails to Ozon's China seller support (issue 14): English, never sent to a buyer.
    "escalation",
)
CHANNELS: tuple[str, ...] = ("chat", "ticket", "review", "question", "email")
LANGUAGES: tuple[str, ...] = ("ru", "en")
# Ozon's China seller support reads English: an escalation template is English and goes out by
# e-mail; every other category is a Russian reply to a buyer.
ESCALATION_CATEGORY = "escalation"


def language_for(category: str) -> str:
    """The language a template of ``category`` is written in (it picks the linter)."""
    return "en" if category == ESCALATION_CATEGORY else "ru"


def channel_for(category: str, channel: str = "chat") -> str:
    """The channel a template of ``category`` goes by: escalations by e-mail, never in a chat."""
    if category == ESCALATION_CATEGORY:
        return "email"
    return "chat" if channel == "email" else channel
_RU = Locale.parse("ru")
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BRACE_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

Kind = Literal["text", "date", "deadline", "money", "days", "relative"]


@dataclass(frozen=True)
class Placeholder:
    name: str
    kind: Kind
    description: str
    sample: Any


# The only placeholders a template may use. ``sample`` values are what
# ``ozondesk lint --pack`` fills in; they are relative to SAMPLE_NOW.
SAMPLE_NOW = MOSCOW.localize(datetime(2025, 11, 24, 10, 0)).astimezone(UTC)
PLACEHOLDERS: dict[str, Placeholder] = {
    p.name: p
    for p in (
        Placeholder("buyer_name", "text", "buyer's first name", "Анна"),
        Placeholder("order_number", "text", "Ozon order number", "12345678-0001"),
        Placeholder("posting_number", "text", "Ozon posting (shipment) number", "12345678-0001-1"),
        Placeholder("tracking_number", "text", "carrier tracking number", "RU123456789CN"),
        Placeholder("sku_name", "text", "product name as on the card", "Кроссовки беговые"),
        Placeholder("sku", "text", "seller's article (артикул)", "RUN-42-BLK"),
        Placeholder("size", "text", "size as on the card", "42"),
        Placeholder("shop_name", "text", "shop name on Ozon", "Магазин «Шаг»"),
        Placeholder("agent_name", "text", "agent's first name", "Мария"),
        Placeholder("pickup_point", "text", "pickup point address", "ул. Ленина, 5"),
        Placeholder("eta_date", "date", "expected delivery date → «27 ноября»", date(2025, 11, 27)),
        Placeholder(
            "deadline_msk",
            "deadline",
            "our deadline → «18:00 МСК» today, else «25 ноября, 18:00 МСК»",
            MOSCOW.localize(datetime(2025, 11, 25, 18, 0)).astimezone(UTC),
        ),
        Placeholder("deadline_date", "date", "a deadline day → «25 ноября»", date(2025, 11, 25)),
        Placeholder("refund_amount", "money", "refund in roubles → «1 290 ₽»", 1290),
        Placeholder("eta_in", "relative", "time until delivery → «через 3 дня»", 3),
        Placeholder("return_days", "days", "return window → «14 дней»", 14),
        Placeholder("storage_days", "days", "days the pickup point keeps it → «7 дней»", 7),
        # Escalation e-mails (English, filled by the Tickets workspace from the ticket).
        Placeholder("shop_id", "text", "the seller's Ozon shop ID", "123456789"),
        Placeholder("seller_id", "text", "the seller ID (Client-Id)", "123456789"),
        Placeholder("ticket_number", "text", "the platform's ticket number", "SR-77001"),
        Placeholder("problem_type", "text", "problem type, CamelCase", "PaymentHold"),
        Placeholder("asked_what", "text", "what is escalated", "ticket SR-77001"),
        Placeholder("question", "text", "what was asked, as sent", "Funds are on hold since 1 December."),
        Placeholder("order_numbers", "text", "order numbers, comma-separated", "12345678-0001"),
        Placeholder("error_code", "text", "the error code Seller Center showed", "E-4031"),
        Placeholder("sent_msk", "text", "when it was sent, Moscow time", "2025-11-21 17:30 MSK"),
        Placeholder("due_msk", "text", "when Ozon's answer was due, Moscow time", "2025-11-24 11:30 MSK"),
        Placeholder("waited", "text", "how long it has waited", "2 days 16 hours 30 minutes"),
        Placeholder("evidence_list", "text", "the evidence, one item a line", "- shop ID: yes"),
        Placeholder("now_msk", "text", "now, Moscow time", "2025-11-24 10:00 MSK"),
    )
}
_DAY_FORMS = ("день", "дня", "дней")


class TemplateError(UserError):
    """Placeholders that are unknown, malformed or unfilled; ``problems`` has each with its span."""

    def __init__(self, problems: Sequence[PlaceholderProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class PlaceholderProblem:
    start: int
    end: int
    text: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.start}:{self.end}] {self.reason}"


@dataclass(frozen=True)
class Segment:
    """One piece of a rendered body: literal text or one filled placeholder."""

    body_start: int
    body_end: int
    out_start: int
    out_end: int
    placeholder: str | None


@dataclass(frozen=True)
class Rendered:
    text: str
    segments: tuple[Segment, ...]

    def body_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the rendered text back to the template body.

        A span that touches a filled placeholder widens to the whole ``{name}``.
        """
        return self._body_start(start), self._body_end(end)

    def _body_start(self, pos: int) -> int:
        for seg in self.segments:
            if seg.out_start <= pos < seg.out_end:
                if seg.placeholder is not None:
                    return seg.body_start
                return min(seg.body_start + (pos - seg.out_start), seg.body_end)
        return self.segments[-1].body_end if self.segments else 0

    def _body_end(self, pos: int) -> int:
        for seg in self.segments:
            if seg.out_start < pos <= seg.out_end:
                if seg.placeholder is not None:
                    return seg.body_end
                return min(seg.body_start + (pos - seg.out_start), seg.body_end)
        return 0


@dataclass(frozen=True)
class Template:
    """One reply template. ``body`` is Russian; ``gloss_zh`` tells a Chinese-speaking agent what it says."""

    id: str
    title: str
    category: str
    body: str
    gloss_zh: str = ""
    tags: tuple[str, ...] = ()
    channel: str = "chat"
    language: str = "ru"

    def __post_init__(self) -> None:
        object.__setattr__(self, "tags", tuple(self.tags))
        problems = field_problems(dataclasses.asdict(self))
        if problems:
            raise UserError(
                _("template {id!r}: {problems}").format(
                    id=self.id, problems="; ".join(f"{k}: {v}" for k, v in problems)
                )
            )

    def placeholders(self) -> list[str]:
        return [name for name, _s, _e in placeholders_in(self.body)]

    def render(self, values: Mapping[str, Any] | Any, now: datetime | None = None) -> str:
        return render(self.body, values, now=now)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["tags"] = list(self.tags)
        return data


# A buyer chat message holds 1,000 characters; a template five times that is a pasted file,
# and linting or diffing it would hold the desk up.
MAX_BODY_CHARS = 5_000
MAX_TITLE_CHARS = 500


def field_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, problem) pairs for a template's fields; the body's placeholders included."""
    out: list[tuple[str, str]] = []

    def text(key: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            out.append((key, _("required, a non-empty text") if required else _("must be a text")))
            return None
        return value

    tid = text("id")
    if tid is not None and not _ID_RE.match(tid):
        out.append(("id", _("must be a slug: lowercase letters, digits and single hyphens")))
    text("title")
    category = text("category")
    if category is not None and category not in CATEGORIES:
        out.append(
            (
                "category",
                _("{value!r} is not one of {choices}").format(
                    value=category, choices=", ".join(CATEGORIES)
                ),
            )
        )
    channel = text("channel")
    if channel is not None and channel not in CHANNELS:
        out.append(
            (
                "channel",
                _("{value!r} is not one of {choices}").format(
                    value=channel, choices=", ".join(CHANNELS)
                ),
            )
        )
    lang = text("language")
    if lang is not None and lang not in LANGUAGES:
        out.append(("language", _('use "ru" (replies to buyers) or "en" (escalation e-mails)')))
    elif lang is not None and category in CATEGORIES and lang != language_for(category):
        out.append(("language", _("{category} templates are in {language}").format(
            category=category, language=language_for(category))))
    if channel is not None and category in CATEGORIES and (channel == "email") != (
            category == ESCALATION_CATEGORY):
        out.append(("channel", _("{category} templates go by {channel}").format(
            category=category, channel=channel_for(category, channel))))
    text("gloss_zh", required=False)
    tags = data.get("tags", ())
    if not isinstance(tags, list | tuple) or not all(
        isinstance(t, str) and t.strip() for t in tags
    ):
        out.append(("tags", _("must be a list of non-empty texts")))
    body = text("body")
    if body is not None and len(body) > MAX_BODY_CHARS:
        out.append(("body", _("{n} characters; a template holds at most {max}").format(
            n=len(body), max=MAX_BODY_CHARS)))
    elif body is not None:
        out.extend(("body", str(p.reason)) for p in check_body(body))
    for key in ("title", "gloss_zh"):
        value = data.get(key)
        if isinstance(value, str) and len(value) > MAX_TITLE_CHARS:
            out.append((key, _("{n} characters; at most {max}").format(n=len(value), max=MAX_TITLE_CHARS)))
    return out


def placeholders_in(body: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of every ``{name}`` in ``body``, known or not."""
    return [
        (m.group(1), m.start(), m.end()) for m in _BRACE_RE.finditer(body) if m.group(1) is not None
    ]


def check_body(body: str) -> list[PlaceholderProblem]:
    """Unknown or malformed placeholders and stray braces, each with its span."""
    problems: list[PlaceholderProblem] = []
    for m in _BRACE_RE.finditer(body):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        name = m.group(1)
        if name is None:
            problems.append(
                PlaceholderProblem(
                    m.start(),
                    m.end(),
                    token,
                    _("stray {brace!r}: write {{{{ or }}}} for a literal brace").format(
                        brace=token
                    ),
                )
            )
        elif name not in PLACEHOLDERS:
            problems.append(
                PlaceholderProblem(
                    m.start(), m.end(), token, _("unknown placeholder {token}").format(token=token)
                )
            )
    return problems


def render(body: str, values: Mapping[str, Any] | Any, now: datetime | None = None) -> str:
    """Fill ``body``; raises :class:`TemplateError` listing every bad or unfilled placeholder."""
    return render_mapped(body, values, now=now).text


def render_mapped(
    body: str, values: Mapping[str, Any] | Any, now: datetime | None = None
) -> Rendered:
    """Like :func:`render`, also keeping where each piece of the output came from."""
    lookup = _as_mapping(values)
    problems = check_body(body)
    pieces: list[str] = []
    segments: list[Segment] = []
    out_pos = 0
    last = 0

    def literal(start: int, end: int, text: str) -> None:
        nonlocal out_pos
        if start == end:
            return
        pieces.append(text)
        segments.append(Segment(start, end, out_pos, out_pos + len(text), None))
        out_pos += len(text)

    for m in _BRACE_RE.finditer(body):
        literal(last, m.start(), body[last : m.start()])
        last = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            literal(m.start(), m.end(), token[0])
            continue
        name = m.group(1)
        if name is None or name not in PLACEHOLDERS:
            continue  # already reported by check_body
        value = lookup.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(
                PlaceholderProblem(
                    m.start(), m.end(), token, _("no value for {token}").format(token=token)
                )
            )
            continue
        try:
            filled = format_value(name, value, now=now)
        except (TypeError, ValueError) as exc:
            problems.append(PlaceholderProblem(m.start(), m.end(), token, f"{token}: {exc}"))
            continue
        pieces.append(filled)
        segments.append(Segment(m.start(), m.end(), out_pos, out_pos + len(filled), name))
        out_pos += len(filled)
    literal(last, len(body), body[last:])
    if problems:
        raise TemplateError(sorted(problems, key=lambda p: p.start))
    return Rendered("".join(pieces), tuple(segments))


# The name as a form of address set off by a comma: «…, {buyer_name}!» / «…, {buyer_name}.»
_VOCATIVE_NAME = re.compile(r",\s*\{buyer_name\}(?=\s*[!.?])")


def _has_value(values: Mapping[str, Any], name: str) -> bool:
    value = values.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


@dataclass(frozen=True)
class Filled:
    text: str
    unfilled: tuple[str, ...]


def fill_template(body: str, values: Mapping[str, Any], now: datetime | None = None) -> Filled:
    """Fill what the conversation knows; every other ``{name}`` stays for the agent to fill.

    Unlike :func:`ozondesk.domain.templates.render` this never raises: the composer shows
    a placeholder left in the text as a reason the reply cannot be sent yet.
    """
    unfilled: list[str] = []
    if not _has_value(values, "buyer_name"):
        # Ozon's chat API never gives the buyer's name: «Здравствуйте, {buyer_name}!» then
        # reads «Здравствуйте!», which Russian service uses too, instead of blocking Send.
        body = _VOCATIVE_NAME.sub("", body)

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = m.group(1)
        if name is None:  # a stray brace stays as it is
            return token
        value = values.get(name)
        if name in PLACEHOLDERS and value is not None and not (isinstance(value, str) and not value.strip()):
            try:
                return format_value(name, value, now=now)
            except (TypeError, ValueError):
                pass
        unfilled.append(name)
        return token

    return Filled(_BRACE_RE.sub(one, body), tuple(unfilled))


def sample_values() -> dict[str, Any]:
    """A value for every placeholder, for previews and for linting template packs."""
    return {name: p.sample for name, p in PLACEHOLDERS.items()}


def _as_mapping(values: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    if isinstance(values, Mapping):
        return values
    if dataclasses.is_dataclass(values) and not isinstance(values, type):
        return {f.name: getattr(values, f.name) for f in dataclasses.fields(values)}
    raise TypeError(_("template values must be a mapping or a dataclass instance"))


# -- Russian formatting -------------------------------------------------------


def format_value(name: str, value: Any, now: datetime | None = None) -> str:
    """One placeholder's value as Russian text; a ``str`` is taken as already formatted."""
    if isinstance(value, str):
        return value
    kind = PLACEHOLDERS[name].kind
    if kind == "text":
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        raise TypeError(_("expected a text"))
    if kind == "date":
        return format_date_ru(_day(value), now=now)
    if kind == "deadline":
        if not isinstance(value, datetime):
            raise TypeError(_("expected a date and time"))
        return format_deadline_msk(value, now=now)
    if kind == "money":
        return format_rub(value)
    if kind == "days":
        return format_days(_whole(value))
    if kind == "relative":
        return format_in(value)
    raise TypeError(kind)  # pragma: no cover - PLACEHOLDERS is fixed


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return to_msk(value).date()
    if isinstance(value, date):
        return value
    raise TypeError(_("expected a date"))


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(_("expected a whole number"))
    return value


def plural_ru(n: int | float | Decimal, forms: tuple[str, str, str]) -> str:
    """The form for ``n`` among (one, few, many): 1 день, 3 дня, 5 дней, 1,5 дня."""
    category = _RU.plural_form(n)
    return {"one": forms[0], "few": forms[1], "many": forms[2]}.get(category, forms[1])


def format_days(n: int) -> str:
    return f"{n}\u00a0{plural_ru(n, _DAY_FORMS)}"


def format_in(value: int | timedelta) -> str:
    """«через 3 дня», «через 2 часа»: a whole number counts days."""
    if isinstance(value, timedelta):
        return format_timedelta(value, add_direction=True, locale=_RU, threshold=1.0)
    return f"через {format_days(_whole(value))}"


def format_date_ru(day: date, now: datetime | None = None) -> str:
    """«25 ноября»; the year is added when it differs from ``now``'s."""
    if now is not None and to_msk(now).year != day.year:
        return format_date(day, "d MMMM y 'г'.", locale=_RU)
    return format_date(day, "d MMMM", locale=_RU)


def format_time_msk(value: datetime) -> str:
    return f"{format_time(to_msk(value), 'HH:mm', locale=_RU)} МСК"


def format_deadline_msk(value: datetime, now: datetime | None = None) -> str:
    """«18:00 МСК» when the deadline is today (Moscow), else «25 ноября, 18:00 МСК»."""
    local = to_msk(as_utc(value))
    if now is not None and to_msk(now).date() == local.date():
        return format_time_msk(local)
    return f"{format_date_ru(local.date(), now=now)}, {format_time_msk(local)}"


def format_rub(amount: Any) -> str:
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal):
        raise TypeError(_("expected an amount in roubles"))
    whole = Decimal(str(amount)) == Decimal(str(amount)).to_integral_value()
    if whole:
        return format_currency(
            int(amount), "RUB", locale=_RU, format="#,##0\u00a0¤", currency_digits=False
        )
    return format_currency(amount, "RUB", locale=_RU)


__all__ = [
    "CATEGORIES",
    "CHANNELS",
    "ESCALATION_CATEGORY",
    "PLACEHOLDERS",
    "SAMPLE_NOW",
    "Placeholder",
    "PlaceholderProblem",
    "Rendered",
    "Template",
    "TemplateError",
    "channel_for",
    "check_body",
    "format_date_ru",
    "format_days",
    "format_deadline_msk",
    "format_in",
    "format_rub",
    "format_time_msk",
    "format_value",
    "language_for",
    "placeholders_in",
    "plural_ru",
    "render",
    "render_mapped",
    "sample_values",
]
