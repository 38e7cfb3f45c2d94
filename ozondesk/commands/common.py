"""Helpers shared by sub-commands: where policies and rules come from."""

from __future__ import annotations

import os
from argparse import Namespace

from ozondesk.domain.presence import PresenceRules
from ozondesk.domain.sla import PolicyRevision
from ozondesk.store.db import Database, default_database_path, open_database, resolve_url


def database_if_any(args: Namespace) -> Database | None:
    """The database named by --db or OZONDESK_DB, or the default one if it already exists,
    opened read-only: a command that only reads never creates, migrates or seeds one."""
    explicit = getattr(args, "db", None) or os.environ.get("OZONDESK_DB")
    if explicit:
        return open_database(explicit, read_only=True)
    if default_database_path().exists():
        return open_database(None, read_only=True)
    return None


def existing_database(args: Namespace, first_step: str | None = None, *, read_only: bool = False) -> Database:
    """The database of --db / OZONDESK_DB / the user data folder, which must exist already
    (``first_step``, the command that would create it, is named in the refusal). With
    ``read_only`` (commands that only read) it must also be at the current schema, and
    nothing in it is changed."""
    url = resolve_url(getattr(args, "db", None))
    return open_database(url, create=False, read_only=read_only, first_step=first_step)


def policy_revisions(args: Namespace) -> dict[str, list[PolicyRevision]]:
    from ozondesk.domain.clock import as_utc
    from ozondesk.domain.policies import DEFAULT_POLICIES
    from ozondesk.store.seed import EPOCH

    db = database_if_any(args)
    if db is None:
        # The same revision a new database is seeded with.
        return {name: [PolicyRevision(as_utc(EPOCH), p)] for name, p in DEFAULT_POLICIES.items()}
    try:
        from ozondesk.store.repos.policies import all_revisions

        with db.begin() as session:
            return all_revisions(session)
    finally:
        db.dispose()


def presence_rules(args: Namespace) -> PresenceRules:
    db = database_if_any(args)
    if db is None:
        return PresenceRules()
    try:
        from ozondesk.settings.team import presence_rules as stored

        with db.begin() as session:
            return stored(session)
    finally:
        db.dispose()
