"""The translation cache, glossary and usage counts: plain rows in, frozen records out.

Cache inserts and usage increments are ``INSERT … ON CONFLICT`` so two desks translating the
same text, or counting the same day, at the same moment neither fail nor lose a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ozondesk.domain.clock import to_storage
from ozondesk.store.dml import rows_changed
from ozondesk.store.translation_models import (
    GlossaryRow,
    TranslationCacheRow,
    TranslationUsageRow,
)


@dataclass(frozen=True)
class GlossaryEntry:
    ru: str
    zh: str


@dataclass(frozen=True)
class UsageRow:
    day: date  # Moscow calendar day
    engine: str
    characters: int
    requests: int = 0


def _insert(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise NotImplementedError(f"the translation cache needs INSERT … ON CONFLICT, which {name} lacks")


def cached(session: Session, key: str) -> str | None:
    """The engine's stored answer for ``key``; counts the hit."""
    result = session.scalar(select(TranslationCacheRow.result).where(TranslationCacheRow.key == key))
    if result is not None:
        session.execute(
            update(TranslationCacheRow)
            .where(TranslationCacheRow.key == key)
            .values(hits=TranslationCacheRow.hits + 1)
        )
    return result


def remember(session: Session, key: str, engine: str, target: str, result: str,
             now: datetime) -> None:
    stmt = _insert(session)(TranslationCacheRow).values(
        key=key, engine=engine, target=target, result=result, created_at=to_storage(now), hits=0
    )
    session.execute(stmt.on_conflict_do_nothing(index_elements=[TranslationCacheRow.key]))


def count(session: Session, day: date, engine: str, characters: int) -> None:
    stmt = _insert(session)(TranslationUsageRow).values(
        day=day, engine=engine, characters=characters, requests=1
    )
    session.execute(stmt.on_conflict_do_update(
        index_elements=[TranslationUsageRow.day, TranslationUsageRow.engine],
        set_={
            "characters": TranslationUsageRow.characters + stmt.excluded.characters,
            "requests": TranslationUsageRow.requests + 1,
        },
    ))


def usage(session: Session, since: date) -> list[UsageRow]:
    rows = session.execute(
        select(TranslationUsageRow.day, TranslationUsageRow.engine,
               TranslationUsageRow.characters, TranslationUsageRow.requests)
        .where(TranslationUsageRow.day >= since)
        .order_by(TranslationUsageRow.day.desc(), TranslationUsageRow.engine)
    ).all()
    return [UsageRow(d, e, int(c), int(r)) for d, e, c, r in rows]


def glossary(session: Session) -> list[GlossaryEntry]:
    rows = session.execute(select(GlossaryRow.ru, GlossaryRow.zh).order_by(GlossaryRow.ru)).all()
    return [GlossaryEntry(ru, zh) for ru, zh in rows]


def set_entry(session: Session, ru: str, zh: str, now: datetime, agent_id: int | None) -> None:
    row = session.scalar(select(GlossaryRow).where(GlossaryRow.ru == ru))
    if row is None:
        session.add(GlossaryRow(ru=ru, zh=zh, updated_at=to_storage(now), updated_by=agent_id))
    else:
        row.zh, row.updated_at, row.updated_by = zh, to_storage(now), agent_id


def delete_entry(session: Session, ru: str) -> bool:
    return rows_changed(session, delete(GlossaryRow).where(GlossaryRow.ru == ru)) > 0
