"""outbox actions (chat replies, question answers, review comments, decisions) and product feedback

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:30:00

The outbox carries more than chat replies now: ``action`` names the request (every existing row
is a chat reply, ``chat_message``), ``payload`` its specifics as JSON, and ``message_id`` may be
empty (a decision such as approving a return shows as no message). ``chat_id`` keeps the
platform id of the target, whatever kind it is. Platform message ids widen to 64 characters:
answers and comments have UUIDs.

``product_feedback`` holds a product question's or a review's context beside its conversation.
The new conversation kinds (question, review, return_request, cancellation) need no schema
change: ``conversations.kind`` is a plain string.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('action', sa.String(length=24), server_default='chat_message', nullable=False)
        )
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.alter_column('message_id', existing_type=sa.Integer(), nullable=True)
        # Answers and review comments have UUIDs (36 characters), chat messages 19 digits.
        batch_op.alter_column('platform_message_id', existing_type=sa.String(length=32),
                              type_=sa.String(length=64), existing_nullable=True)
    _widen_message_ids(32, 64)
    op.create_table('product_feedback',
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('sku', sa.BigInteger(), nullable=True),
    sa.Column('offer_id', sa.String(length=100), nullable=True),
    sa.Column('product_name', sa.String(length=500), nullable=True),
    sa.Column('product_url', sa.String(length=500), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('image', sa.String(length=500), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('photos', sa.JSON(), nullable=False),
    sa.Column('videos', sa.Integer(), nullable=False),
    sa.Column('order_status', sa.String(length=32), nullable=True),
    sa.Column('platform_status', sa.String(length=32), nullable=True),
    sa.Column('has_reply', sa.Boolean(), nullable=False),
    sa.Column('replies', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversations.id'], name=op.f('fk_product_feedback_conversation_id_conversations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_product_feedback'))
    )
    _add_policies()
    if op.get_bind().dialect.name == "postgresql":
        _grant_to_the_team()


# The two new kinds' default policies as they were at this revision (ozondesk.domain.policies
# may change later; a migration writes what it wrote then). Calendars as seeded since 0001.
_EVERY_DAY_9_23 = {"name": "every-day-09-23", "tz": "Europe/Moscow",
                   "weekly": [[[540, 1380]]] * 7, "production_calendar": False, "overrides": []}
_ROUND_THE_CLOCK = {"name": "round-the-clock", "tz": "Europe/Moscow",
                    "weekly": [[[0, 1440]]] * 7, "production_calendar": False, "overrides": []}
_POLICIES: tuple[dict[str, Any], ...] = (
    {"name": "question-answer", "title": "Product question: answer", "budget_seconds": 14400.0,
     "calendar": _EVERY_DAY_9_23, "due_soon_fraction": 0.2},
    {"name": "review-comment", "title": "Review: public comment", "budget_seconds": 86400.0,
     "calendar": _ROUND_THE_CLOCK, "due_soon_fraction": 0.2},
)


def _add_policies() -> None:
    """A database seeded before this revision gets the new kinds' policies; a new one is seeded
    with every default policy after the migrations (``ozondesk.store.seed``)."""
    import json
    from datetime import datetime

    bind = op.get_bind()
    names = set(bind.execute(sa.text("SELECT DISTINCT name FROM sla_policy_revisions")).scalars())
    if not names:
        return
    revisions = sa.table(
        "sla_policy_revisions",
        sa.column("name", sa.String), sa.column("effective_from", sa.DateTime),
        sa.column("snapshot", sa.JSON),
    )
    # A lead may have edited a calendar (hours, holidays): the new policies count on it as it is.
    latest: dict[str, Any] = {}
    for raw in bind.execute(sa.text(
        "SELECT snapshot FROM sla_policy_revisions ORDER BY effective_from, id"
    )).scalars():
        snapshot = json.loads(raw) if isinstance(raw, str) else raw
        calendar = snapshot.get("calendar") if isinstance(snapshot, dict) else None
        if isinstance(calendar, dict) and calendar.get("name"):
            latest[calendar["name"]] = calendar
    for policy in _POLICIES:
        policy = {**policy, "calendar": latest.get(policy["calendar"]["name"], policy["calendar"])}
        if policy["name"] not in names:
            op.execute(revisions.insert().values(
                name=policy["name"], effective_from=datetime(2000, 1, 1),
                snapshot=json.loads(json.dumps(policy)),
            ))


def _grant_to_the_team() -> None:
    # Every desk syncs (0010 gives the agent group, which leads and trainers are members of,
    # the same rights on the other synced tables). The outbox's new columns are written when a
    # request is queued (INSERT covers every column) and never changed after.
    from ozondesk.store.pg_roles import groups, quote_ident

    agent = quote_ident(groups(op.get_bind())["agent"])
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON product_feedback TO {agent}")


def _widen_message_ids(old: int, new: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # SQLite rebuilds the table, which drops its triggers: the full-text index's (0005)
        # are made again after, over the same ids, so the index itself stays valid.
        from ozondesk.store.dialect import FTS_DROP

        for statement in FTS_DROP[:3]:
            op.execute(statement)
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.alter_column('platform_message_id', existing_type=sa.String(length=old),
                              type_=sa.String(length=new), existing_nullable=True)
    if sqlite:
        from ozondesk.store.dialect import FTS_DDL

        for statement in FTS_DDL[2:]:
            op.execute(statement)


def downgrade() -> None:
    op.drop_table('product_feedback')
    # Requests that are no chat reply cannot be kept by the older schema.
    op.execute("DELETE FROM outbox WHERE action <> 'chat_message' OR message_id IS NULL")
    op.execute("DELETE FROM messages WHERE length(platform_message_id) > 32")
    _widen_message_ids(64, 32)
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('platform_message_id', existing_type=sa.String(length=64),
                              type_=sa.String(length=32), existing_nullable=True)
        batch_op.alter_column('message_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('payload')
        batch_op.drop_column('action')
