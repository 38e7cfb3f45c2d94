"""outbox claims: the sender that owns an entry on its way out, and until when

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
    # An entry left "sending" by an older version has no lease: it counts as expired, so the
    # next sender looks for it in the chat history before trying again.
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # Every desk delivers the outbox (0010 grants its columns one by one): the team's
        # agent group, which leads and trainers are members of, may claim a reply too.
        from ozondesk.store.pg_roles import group_names, quote_ident

        database = str(bind.execute(sa.text("SELECT current_database()")).scalar())
        agent = group_names(database)["agent"]
        if bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": agent}).scalar():
            op.execute(
                f"GRANT UPDATE (claimed_by, lease_until) ON outbox TO {quote_ident(agent)}"
            )


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')
