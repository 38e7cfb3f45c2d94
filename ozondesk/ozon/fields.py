"""Reading one JSON record defensively: the wire drifts, so every field goes through here.

Unknown fields are ignored. A required field that is missing or of the wrong type raises
``RecordError`` for that record only. Known drifts handled: 19-digit ids as numbers or
strings (never floats), booleans as ``"true"``, enum casing and a Cyrillic «С» in
``Сustomer``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ozondesk.ozon.errors import RecordError

# Cyrillic letters that look like Latin ones; Ozon's own examples contain «Сustomer».
_HOMOGLYPHS = str.maketrans("АВСЕНКМОРТХаесорхукмтнв", "ABCEHKMOPTXaecopxykmtHB")
_MISSING = object()


def norm_enum(value: str) -> str:
    """``Buyer_Seller``, ``BUYER_SELLER`` and ``Buyer_Sеller`` (Cyrillic е) all become ``BUYER_SELLER``."""
    return value.translate(_HOMOGLYPHS).strip().upper()


def parse_id(value: Any) -> int:
    """A uint64 id sent as a JSON number or a string of digits. Floats are refused: they lose digits."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not an id")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative id {value}")
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, float):
        raise ValueError(
            f"id {value!r} arrived as a floating-point number and may have lost digits"
        )
    raise ValueError(f"{value!r} is not an id")


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{value!r} is not a boolean")


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{value!r} is not a time")
    raw = value.strip()
    if raw[-1] in "Zz":
        raw = raw[:-1] + "+00:00"
    parsed = datetime.fromisoformat(raw)
    if parsed.tzinfo is None:  # "All dates are UTC" per the API docs.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_decimal(value: Any) -> Decimal:
    """Prices arrive as strings (``"1290.0000"``), numbers, or ``{amount, currency}`` objects."""
    if isinstance(value, dict):
        value = value.get("amount")
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not an amount")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None


class Record:
    """Typed access to one response object; errors name the record and the field."""

    def __init__(self, kind: str, raw: Any, key_field: str = "") -> None:
        self.kind = kind
        if not isinstance(raw, dict):
            raise RecordError(kind, "?", f"expected an object, got {type(raw).__name__}")
        self.raw: dict[str, Any] = raw
        self.key = str(raw.get(key_field, "?")) if key_field else "?"

    def fail(self, field: str, problem: str) -> RecordError:
        return RecordError(self.kind, self.key, f"field {field!r}: {problem}")

    def _get(self, path: str) -> Any:
        node: Any = self.raw
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return _MISSING
            node = node[part]
        return node

    def _convert(self, path: str, required: bool, convert: Any, default: Any = None) -> Any:
        value = self._get(path)
        if value is _MISSING or value is None:
            if required:
                raise self.fail(path, "missing")
            return default
        try:
            return convert(value)
        except (ValueError, TypeError) as exc:
            if required:
                raise self.fail(path, str(exc)) from None
            return default

    def str(self, path: str, required: bool = True, default: str | None = None) -> Any:
        def conv(v: Any) -> str:
            if isinstance(v, str):
                return v
            if isinstance(v, int) and not isinstance(v, bool):
                return str(v)
            raise TypeError(f"expected text, got {type(v).__name__}")

        return self._convert(path, required, conv, default)

    def id(self, path: str, required: bool = True) -> Any:
        return self._convert(path, required, parse_id)

    def int(self, path: str, required: bool = True, default: int | None = None) -> Any:
        return self._convert(path, required, parse_id, default)

    def bool(self, path: str, required: bool = True, default: bool | None = None) -> Any:
        return self._convert(path, required, parse_bool, default)

    def time(self, path: str, required: bool = True) -> Any:
        return self._convert(path, required, parse_time)

    def decimal(self, path: str, required: bool = True, default: Decimal | None = None) -> Any:
        return self._convert(path, required, parse_decimal, default)

    def enum(self, path: str, required: bool = True, default: str | None = None) -> Any:
        value = self.str(path, required, None)
        return default if value is None else norm_enum(value)

    def list(self, path: str) -> list[Any]:
        value = self._get(path)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(path, f"expected a list, got {type(value).__name__}")
        return value

    def obj(self, path: str) -> dict[str, Any]:
        """The object at ``path``, {} when absent or null; anything else is the wrong shape."""
        value = self._get(path)
        if value is _MISSING or value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"expected an object, got {type(value).__name__}")
        return value

    def strs(self, path: str) -> tuple[str, ...]:
        """A list of text values (e.g. ``available_actions``); non-text entries are dropped."""
        return tuple(v for v in self.list(path) if isinstance(v, str))
