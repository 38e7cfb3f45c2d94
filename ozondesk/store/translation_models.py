"""Tables of the translation assist: the team's translation memory, the lead's glossary and
the characters sent per day. Imported by ``ozondesk.store.models`` so one metadata holds every
table.

The cache is keyed by a hash of the *masked* markup (personal data already replaced by tokens),
so it never holds a buyer's phone, e-mail, name or address: what it keeps is the engine's
answer with the tokens still in it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ozondesk.store.models import Base


class TranslationCacheRow(Base):
    __tablename__ = "translation_cache"
    # sha256 of engine, source, target and the masked markup.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    engine: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(5))
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    hits: Mapped[int] = mapped_column(Integer, default=0)


class GlossaryRow(Base):
    __tablename__ = "translation_glossary"
    id: Mapped[int] = mapped_column(primary_key=True)
    ru: Mapped[str] = mapped_column(String(200), unique=True)
    zh: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))


class TranslationUsageRow(Base):
    __tablename__ = "translation_usage"
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # Moscow calendar day
    engine: Mapped[str] = mapped_column(String(20), primary_key=True)
    characters: Mapped[int] = mapped_column(BigInteger, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
