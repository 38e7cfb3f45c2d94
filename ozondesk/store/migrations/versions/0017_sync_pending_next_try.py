"""sync_pending.next_try_at: when an item that failed is due again, beside when it was recorded

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 06:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('sync_pending', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_try_at', sa.DateTime(), nullable=True))
    # Before this column the back-off kept an item's due time in created_at once it had
    # failed (attempts > 0); never-failed items are due at once (NULL).
    op.execute("UPDATE sync_pending SET next_try_at = created_at WHERE attempts > 0")


def downgrade() -> None:
    op.execute(
        "UPDATE sync_pending SET created_at = next_try_at WHERE next_try_at IS NOT NULL"
    )
    with op.batch_alter_table('sync_pending', schema=None) as batch_op:
        batch_op.drop_column('next_try_at')
