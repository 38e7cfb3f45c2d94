"""PostgreSQL: a pg_trgm GIN index on message text, for searches of 3+ characters

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 07:30:00
"""

from __future__ import annotations

from alembic import op

from ozondesk.store.dialect import TRGM_DDL, TRGM_DROP

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SQLite searches through its FTS5 table (0005); nothing to create there.
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in TRGM_DDL:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in TRGM_DROP:
        op.execute(statement)
