"""decision requests: rFBS return requests and conditional cancellations beside their conversations

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-06 05:00:00

The conversation kinds ``return_request`` and ``cancellation`` need no schema change
(``conversations.kind`` is a plain string); what the seller must decide on — the posting,
reason, amount, the actions the platform offers now and their deadline — lives in
``decision_requests``, one row per such conversation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_requests',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('platform_id', sa.BigInteger(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('posting_number', sa.String(length=64), nullable=False),
    sa.Column('order_number', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('state_name', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('buyer_comment', sa.Text(), nullable=False),
    sa.Column('initiator', sa.String(length=16), nullable=True),
    sa.Column('sku', sa.BigInteger(), nullable=True),
    sa.Column('offer_id', sa.String(length=100), nullable=True),
    sa.Column('product_name', sa.String(length=500), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('is_defect', sa.Boolean(), nullable=False),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('actions', sa.JSON(), nullable=False),
    sa.Column('rejection_reasons', sa.JSON(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=True),
    sa.Column('auto_decision_at', sa.DateTime(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_decision_requests_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_decision_requests'))
    )
    op.create_index('ix_decision_requests_platform', 'decision_requests', ['kind', 'platform_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _grant_to_the_team()


def _grant_to_the_team() -> None:
    # Every desk syncs (0010 gives the agent group, which leads and trainers are members of,
    # the same rights on the other synced tables).
    from ozondesk.store.pg_roles import groups, quote_ident

    agent = quote_ident(groups(op.get_bind())["agent"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON decision_requests TO {agent}")


def downgrade() -> None:
    op.drop_index('ix_decision_requests_platform', table_name='decision_requests')
    op.drop_table('decision_requests')
