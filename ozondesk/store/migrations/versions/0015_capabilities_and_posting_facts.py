"""shop_capabilities: which methods each shop's plan allows; postings keep ship-by, can-start-chat, cancellation

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 05:00:00

The API answers a method the shop's subscription lacks with HTTP 403, code 7: the sync records
that per shop and method and skips the method until a daily re-check. Postings gain the facts
the FBS and FBO methods send and the desk showed as unknown: the ship-by date, whether the
seller may start a chat (``available_actions``), and the cancellation's reason and initiator.
Existing postings get them at their next sync.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shop_capabilities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=100), nullable=False),
    sa.Column('allowed', sa.Boolean(), nullable=False),
    sa.Column('message', sa.String(length=300), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_capabilities_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_capabilities')),
    sa.UniqueConstraint('shop_id', 'method', name='uq_shop_capabilities_shop_method')
    )
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ship_by', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('can_create_chat', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('cancel_initiator', sa.String(length=100), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        _grant_to_the_team()


def _grant_to_the_team() -> None:
    # Every desk syncs, and the sync records what the plan allows.
    from ozondesk.store.pg_roles import groups, quote_ident

    agent = quote_ident(groups(op.get_bind())["agent"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON shop_capabilities TO {agent}")
    op.execute(f"GRANT USAGE ON SEQUENCE shop_capabilities_id_seq TO {agent}")


def downgrade() -> None:
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_column('cancel_initiator')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('can_create_chat')
        batch_op.drop_column('ship_by')
    op.drop_table('shop_capabilities')
