"""people: a person may serve every shop of the team (no shop), and a login is unique team-wide

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ozondesk.i18n import _
from ozondesk.store.errors import DatabaseKnownError

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # The same login in two shops was allowed before; one login is one person from now on, so
    # a clash is refused with its names rather than silently merged into one person.
    clashes = bind.execute(sa.text(
        "SELECT login FROM agents GROUP BY login HAVING count(*) > 1 ORDER BY login"
    )).scalars().all()
    if clashes:
        raise DatabaseKnownError(
            _("these logins exist in more than one shop: {logins}; an older OzonDesk can rename "
              "all but one before this upgrade").format(logins=", ".join(clashes))
        )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.alter_column('shop_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint('uq_agents_shop_login', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_agents_login'), ['login'])


def downgrade() -> None:
    # Before 0009 every person belonged to one shop: people of the whole team go to the first.
    op.execute(
        "UPDATE agents SET shop_id = (SELECT min(id) FROM shops) WHERE shop_id IS NULL"
    )
    with op.batch_alter_table('agents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_agents_login'), type_='unique')
        batch_op.create_unique_constraint('uq_agents_shop_login', ['shop_id', 'login'])
        batch_op.alter_column('shop_id', existing_type=sa.Integer(), nullable=False)
