"""conversations.sla_*: each conversation's stored SLA outcome, filled for existing rows

Revision ID: 0018
Revises: 0020
Create Date: 2026-12-06 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0020'
branch_labels = None
depends_on = None

COLUMNS = (
    ('sla_first_due', sa.DateTime()),
    ('sla_first_met_at', sa.DateTime()),
    ('sla_next_due', sa.DateTime()),
    ('sla_resolution_due', sa.DateTime()),
    ('sla_resolution_met_at', sa.DateTime()),
    ('sla_breach_reason', sa.String(length=24)),
    ('sla_counted_seconds', sa.Float()),
    ('sla_policy_revision', sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index('ix_conversations_received', ['received_at'], unique=False)
    # The engine fills them, as every later change will (store/sla_outcomes.py): 5,000
    # conversations a batch, about 10 s for 100,000 with a million messages.
    from ozondesk.store import sla_outcomes

    # (sla_due, picked from them, comes with 0024.)
    sla_outcomes.store_all(op.get_bind(), running_due=False)


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_received')
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
