"""sync_pending: postings, returns and products a sync still owes; conversations remember their order

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:00:00

Databases synced before this revision may already miss postings, returns or products (a failed
call whose chat cursor had moved on). What can be found again is queued here: every stored
posting's returns, and every SKU of a posting item that has no product row. Conversations
without a posting lose their chat cursor, so the next sync reads their history once more
(messages already stored are not stored twice) and finds the order they name.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sync_pending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_sync_pending_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_pending')),
    sa.UniqueConstraint('shop_id', 'stage', 'key', name='uq_sync_pending_item')
    )
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_number', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_conversations_order', ['shop_id', 'order_number'], unique=False)
    _queue_what_may_be_missing()
    if op.get_bind().dialect.name == "postgresql":
        _grant_to_the_team()


def _grant_to_the_team() -> None:
    # Every desk syncs (0010 gives the agent group, which leads and trainers are members of,
    # the same rights on sync_cursors): without these, an agent's sync would stop at the first page.
    from ozondesk.store.pg_roles import groups, quote_ident

    agent = quote_ident(groups(op.get_bind())["agent"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON sync_pending TO {agent}")
    op.execute(f"GRANT USAGE ON SEQUENCE sync_pending_id_seq TO {agent}")


def _queue_what_may_be_missing() -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    op.execute(
        sa.text(
            "INSERT INTO sync_pending (shop_id, stage, key, attempts, created_at) "
            "SELECT DISTINCT shop_id, 'returns', posting_number, 0, :now FROM postings"
        ).bindparams(now=now)
    )
    op.execute(
        sa.text(
            "INSERT INTO sync_pending (shop_id, stage, key, attempts, created_at) "
            "SELECT DISTINCT p.shop_id, 'products', CAST(i.sku AS VARCHAR(64)), 0, :now "
            "FROM posting_items i JOIN postings p ON p.id = i.posting_id "
            "WHERE NOT EXISTS (SELECT 1 FROM products r WHERE r.shop_id = p.shop_id AND r.sku = i.sku)"
        ).bindparams(now=now)
    )
    op.execute(
        "DELETE FROM sync_cursors WHERE key IN ("
        " SELECT 'chat:' || c.platform_id FROM conversations c"
        " WHERE c.kind = 'buyer_chat' AND c.posting_id IS NULL AND c.shop_id = sync_cursors.shop_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_order')
        batch_op.drop_column('order_number')
    op.drop_table('sync_pending')
