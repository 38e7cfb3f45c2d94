"""team roles enforced by PostgreSQL: group roles, table privileges, row-level security

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00
"""

from __future__ import annotations

from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A single SQLite desk has one user: the services' role checks are all there is.
    if op.get_bind().dialect.name != "postgresql":
        return
    from ozondesk.store.pg_access import install

    install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from ozondesk.store.pg_access import uninstall

    uninstall(op.get_bind())
