"""conversations.sla_due: the deadline the inbox sorts by, from the stored SLA outcome

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-06 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_due', sa.DateTime(), nullable=True))
        batch_op.create_index('ix_conversations_status_sla_due', ['status', 'sla_due'], unique=False)
    # Picked from the outcome columns 0018 filled (no engine run: a few seconds at 100,000).
    from ozondesk.store import sla_outcomes

    sla_outcomes.store_running_all(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_status_sla_due')
        batch_op.drop_column('sla_due')
