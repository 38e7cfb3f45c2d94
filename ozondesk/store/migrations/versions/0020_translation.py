"""translation assist: the team's translation cache, the lead's glossary, characters per day

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-06 07:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('translation_cache',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=5), nullable=False),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_translation_cache'))
    )
    op.create_table('translation_glossary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ru', sa.String(length=200), nullable=False),
    sa.Column('zh', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['agents.id'], name=op.f('fk_translation_glossary_updated_by_agents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_glossary')),
    sa.UniqueConstraint('ru', name=op.f('uq_translation_glossary_ru'))
    )
    op.create_table('translation_usage',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('engine', sa.String(length=20), nullable=False),
    sa.Column('characters', sa.BigInteger(), nullable=False),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'engine', name=op.f('pk_translation_usage'))
    )
    if op.get_bind().dialect.name == "postgresql":
        _grant_to_the_team()


def _grant_to_the_team() -> None:
    # Every desk translates: the agent group (leads and trainers are members) reads and adds to
    # the shared cache and the usage counts; only leads change the glossary, everyone reads it.
    from ozondesk.store.pg_roles import groups, quote_ident

    names = groups(op.get_bind())
    agent, lead = quote_ident(names["agent"]), quote_ident(names["lead"])
    for table in ("translation_cache", "translation_usage"):
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {agent}")
    op.execute(f"GRANT SELECT ON translation_glossary TO {agent}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON translation_glossary TO {lead}")
    op.execute(f"GRANT USAGE ON SEQUENCE translation_glossary_id_seq TO {lead}")


def downgrade() -> None:
    op.drop_table('translation_usage')
    op.drop_table('translation_glossary')
    op.drop_table('translation_cache')
