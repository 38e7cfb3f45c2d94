"""template uses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:22:50.171791
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('template_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=True),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.Column('inserted_chars', sa.Integer(), nullable=False),
    sa.Column('edit_distance', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_template_uses_agent_id_agents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_template_uses_conversation_id_conversations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], name=op.f('fk_template_uses_message_id_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revision_id'], ['template_revisions.id'], name=op.f('fk_template_uses_revision_id_template_revisions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['template_id'], ['templates.id'], name=op.f('fk_template_uses_template_id_templates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_template_uses'))
    )
    with op.batch_alter_table('template_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_template_uses_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_template_uses_template_id'), ['template_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_template_uses_used_at'), ['used_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('template_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_template_uses_used_at'))
        batch_op.drop_index(batch_op.f('ix_template_uses_template_id'))
        batch_op.drop_index(batch_op.f('ix_template_uses_conversation_id'))

    op.drop_table('template_uses')
