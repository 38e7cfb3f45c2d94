"""Typed options, each declared once with its default, validation and scope.

In the spirit of Picard's ``options.py``: an option is a small immutable declaration, and
the stores (``ozondesk.settings.desk`` for this machine's INI file, ``ozondesk.settings.team``
for the database's ``settings`` table) only ever hand out values that passed its ``check``.
A stored value that fails it is replaced by the default, never raised at the reader.

No Qt and no SQL here: the store layer, the services and the command line all use it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

log = logging.getLogger("ozondesk.settings")
T = TypeVar("T")
O = TypeVar("O", bound="Option[Any]")  # noqa: E741 - reads as "option"


# Problems already logged: a bad stored value is read again on every call, but said once.
_reported: set[tuple[str, ...]] = set()


def report_once(key: tuple[str, ...], message: str, *args: object) -> None:
    """Log a warning about a stored value the first time ``key`` comes up in this process."""
    if key not in _reported:
        _reported.add(key)
        log.warning(message, *args)


class Scope(StrEnum):
    DESK = "desk"  # this machine: the INI file in the user config folder
    TEAM = "team"  # every desk of the database: its ``settings`` table


@dataclass(frozen=True, kw_only=True)
class Option(Generic[T]):
    """One setting. ``check`` turns a candidate into a valid value or raises ValueError.

    Desk options live in the INI file under their ``name``; ``per_database`` ones once per
    database this desk opens (a desk may use the demo database and the real one). Team options
    live in the settings row ``key``, either as the whole JSON value (``field`` None) or as one
    field of it, which is how the rows written before the registry are laid out.
    """

    name: str
    default: T
    scope: Scope
    doc: str
    per_database: bool = False
    key: str = ""
    field: str | None = None

    def check(self, value: Any) -> T:
        raise NotImplementedError

    def fresh_default(self) -> T:
        """The default as a value of its own: a caller may change a JSON default's copy freely."""
        return self.check(self.default)

    # The INI file holds text; the database holds JSON.
    def to_text(self, value: T) -> str:
        return str(value)

    def from_text(self, text: str) -> T:
        return self.check(text)

    def to_json(self, value: T) -> Any:
        return value

    def from_json(self, value: Any) -> T:
        return self.check(value)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what}: expected a whole number, got {value!r}")
    return value


@dataclass(frozen=True, kw_only=True)
class IntOption(Option[int]):
    minimum: int | None = None
    maximum: int | None = None

    def from_json(self, value: Any) -> int:
        # JSON has one number type: 540.0 written by another tool is still 540.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return self.check(value)

    def check(self, value: Any) -> int:
        number = _int(value, self.name)
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{self.name}: {number} is below {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{self.name}: {number} is above {self.maximum}")
        return number

    def from_text(self, text: str) -> int:
        try:
            number = int(text.strip())
        except ValueError:
            raise ValueError(f"{self.name}: expected a whole number, got {text!r}") from None
        return self.check(number)


@dataclass(frozen=True, kw_only=True)
class FloatOption(Option[float]):
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # strictly greater than this

    def check(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"{self.name}: expected a number, got {value!r}")
        number = float(value)
        if self.above is not None and number <= self.above:
            raise ValueError(f"{self.name}: {number} is not above {self.above}")
        if self.minimum is not None and number < self.minimum:
            raise ValueError(f"{self.name}: {number} is below {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"{self.name}: {number} is above {self.maximum}")
        return number

    def from_text(self, text: str) -> float:
        try:
            number = float(text.strip())
        except ValueError:
            raise ValueError(f"{self.name}: expected a number, got {text!r}") from None
        return self.check(number)


@dataclass(frozen=True, kw_only=True)
class BoolOption(Option[bool]):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{self.name}: expected true or false, got {value!r}")
        return value

    def to_text(self, value: bool) -> str:
        return "true" if value else "false"

    def from_text(self, text: str) -> bool:
        word = text.strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"{self.name}: expected true or false, got {text!r}")


@dataclass(frozen=True, kw_only=True)
class TextOption(Option[str]):
    """A line of text; with ``choices``, one of them."""

    choices: tuple[str, ...] = ()
    max_length: int = 200

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"{self.name}: expected text, got {value!r}")
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.name}: {value!r} is not one of {', '.join(self.choices)}")
        if len(value) > self.max_length or "\n" in value or "\r" in value:
            raise ValueError(f"{self.name}: expected one line of at most {self.max_length} characters")
        return value

    def from_text(self, text: str) -> str:
        return self.check(text.strip())


@dataclass(frozen=True, kw_only=True)
class IntListOption(Option[tuple[int, ...]]):
    """Whole numbers in order: splitter sizes, column widths, a column order."""

    minimum: int = 0
    max_items: int = 64
    length: int | None = None  # exactly this many numbers, or none at all (nothing stored yet)

    def check(self, value: Any) -> tuple[int, ...]:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{self.name}: expected a list of whole numbers, got {value!r}")
        numbers = tuple(_int(v, self.name) for v in value)
        if len(numbers) > self.max_items:
            raise ValueError(f"{self.name}: more than {self.max_items} numbers")
        if self.length is not None and numbers and len(numbers) != self.length:
            raise ValueError(f"{self.name}: expected {self.length} numbers, got {len(numbers)}")
        if any(n < self.minimum for n in numbers):
            raise ValueError(f"{self.name}: numbers below {self.minimum} in {numbers}")
        return numbers

    def to_text(self, value: tuple[int, ...]) -> str:
        return ",".join(str(n) for n in value)

    def from_text(self, text: str) -> tuple[int, ...]:
        parts = [p.strip() for p in text.split(",")] if text.strip() else []
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"{self.name}: expected numbers separated by commas, got {text!r}") from None
        return self.check(numbers)

    def to_json(self, value: tuple[int, ...]) -> list[int]:
        return list(value)


@dataclass(frozen=True, kw_only=True)
class BytesOption(Option[bytes]):
    """An opaque blob (a Qt window state), kept as base64 text in the INI file."""

    max_bytes: int = 64 * 1024

    def check(self, value: Any) -> bytes:
        if not isinstance(value, bytes | bytearray):
            raise ValueError(f"{self.name}: expected bytes, got {type(value).__name__}")
        if len(value) > self.max_bytes:
            raise ValueError(f"{self.name}: more than {self.max_bytes} bytes")
        return bytes(value)

    def to_text(self, value: bytes) -> str:
        return base64.b64encode(value).decode("ascii")

    def from_text(self, text: str) -> bytes:
        try:
            blob = base64.b64decode(text.strip(), validate=True)
        except binascii.Error:
            raise ValueError(f"{self.name}: not base64 text") from None
        return self.check(blob)


@dataclass(frozen=True, kw_only=True)
class JsonOption(Option[Any]):
    """A JSON value checked by ``validate`` (which raises ValueError on a bad one)."""

    validate: Callable[[Any], Any] = lambda value: value

    def check(self, value: Any) -> Any:
        # Round-trip: only plain JSON data may be stored, and the caller's object is not shared.
        try:
            plain = json.loads(json.dumps(value))
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}: not JSON data") from None
        return self.validate(plain)

    def to_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_text(self, text: str) -> Any:
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"{self.name}: not JSON text") from None
        return self.check(value)


class Registry:
    """The declared options by name. Declaring a name twice is a programming error."""

    def __init__(self) -> None:
        self._options: dict[str, Option[Any]] = {}

    def declare(self, option: O) -> O:
        if option.name in self._options:
            raise ValueError(f"option {option.name!r} is declared twice")
        if option.scope is Scope.TEAM and not option.key:
            raise ValueError(f"team option {option.name!r} needs the settings row it lives in")
        if option.scope is Scope.DESK and (option.key or option.field):
            raise ValueError(f"desk option {option.name!r} lives in the INI file, not in a row")
        if option.per_database and option.scope is not Scope.DESK:
            raise ValueError(f"only desk options are kept per database ({option.name!r})")
        option.check(option.default)  # a default that fails its own check is a typo
        self._options[option.name] = option
        return option

    def __getitem__(self, name: str) -> Option[Any]:
        return self._options[name]

    def __contains__(self, name: object) -> bool:
        return name in self._options

    def __iter__(self) -> Iterator[Option[Any]]:
        return iter(self._options.values())

    def in_scope(self, scope: Scope) -> list[Option[Any]]:
        return [o for o in self._options.values() if o.scope is scope]
