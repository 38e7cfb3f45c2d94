"""Alembic environment: always run on a connection handed in by ozondesk.store.db."""

from __future__ import annotations

from alembic import context

from ozondesk.store.dialect import include_object
from ozondesk.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the app's own runner is supported
    raise RuntimeError("run migrations through ozondesk.store.db.open_database")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
