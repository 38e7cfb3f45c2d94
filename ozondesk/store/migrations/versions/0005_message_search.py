"""full-text search over message text (SQLite FTS5, trigram)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from ozondesk.store.dialect import FTS_DDL, FTS_DROP

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Other backends search with ILIKE (see dialect.message_match); nothing to create.
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in FTS_DDL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in FTS_DROP:
        op.execute(statement)
