"""claims: one agent per conversation; on PostgreSQL, NOTIFY triggers for live updates

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 13:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ozondesk.store.notify import TRIGGER_DDL, TRIGGER_DROP

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=False),
    sa.Column('renewed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_claims_agent_id_agents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_claims_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_claims'))
    )
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claims_agent_id'), ['agent_id'], unique=False)
    # Only PostgreSQL has LISTEN/NOTIFY; a single SQLite desk notices changes by polling.
    if op.get_bind().dialect.name == "postgresql":
        for statement in TRIGGER_DDL:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in TRIGGER_DROP:
            op.execute(statement)
    with op.batch_alter_table('claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claims_agent_id'))
    op.drop_table('claims')
