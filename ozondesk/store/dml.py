"""Rows touched by an UPDATE or DELETE run through an ORM session."""

from __future__ import annotations

from sqlalchemy import CursorResult, Delete, Update
from sqlalchemy.orm import Session


def rows_changed(session: Session, statement: Update | Delete) -> int:
    """How many rows ``statement`` changed.

    ``Session.execute`` is typed to return a plain ``Result``, which has no ``rowcount``; for
    an UPDATE or DELETE without RETURNING it is a ``CursorResult``, and this checks so.
    """
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected a cursor result for {statement!r}, got {type(result).__name__}")
    return int(result.rowcount or 0)
