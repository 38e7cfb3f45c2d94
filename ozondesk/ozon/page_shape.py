"""A page whose shape is not the documented one is an error, never an empty page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ozondesk.ozon import errors as E
from ozondesk.ozon.fields import Record

T = TypeVar("T")


def page_record(kind: str, body: Any, path: str) -> Record:
    """``body`` as a record, or ``MalformedResponse`` naming the method."""
    try:
        return Record(kind, body)
    except E.RecordError as exc:
        raise E.MalformedResponse(f"{path}: {exc}", status=200, path=path) from None


def field(rec: Record, path: str, kind: str, name: str, default: Any) -> Any:
    """An optional field of a page (``kind``: str, int or bool): ``default`` when absent or
    null, the value when readable, ``MalformedResponse`` when present with another type (a
    ``has_next`` that is an object is no "false")."""
    if rec.raw.get(name) is None:
        return default
    return strict(path, lambda: getattr(rec, kind)(name))


def strict(path: str, read: Callable[[], T]) -> T:
    """Run ``read``; a field of the page itself of the wrong type (``result`` an array where an
    object was documented, a list that is an object…) becomes ``MalformedResponse``."""
    try:
        return read()
    except E.RecordError as exc:
        raise E.MalformedResponse(f"{path}: {exc}", status=200, path=path) from None
