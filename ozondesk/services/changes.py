"""What a write changed, so each view refreshes only that (after Anki's ``OpChanges``).

A write operation (a queued reply, a sync round, a claim, a decision) and a live event from
another desk both come down to one :class:`OpChanges`. The inbox reads it so: the rows of
``conversations`` are read again in place; only when ``membership`` is set can a row have
entered, left or moved in the listing, and only then are the listing's ids asked for again.
``every_conversation`` stands for an extent nobody counted (a sync round, a reconnect): every
row shown is read again and the ids too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ozondesk.store.notify import ChangeEvent


@dataclass(frozen=True)
class OpChanges:
    conversations: frozenset[int] = frozenset()
    # A row may have entered, left or moved: its status, deadline, last message or unread
    # count (what filters and sort keys read) may differ.
    membership: bool = False
    every_conversation: bool = False
    templates: bool = False
    presence: bool = False

    @property
    def inbox(self) -> bool:
        """Whether the inbox has anything to refresh."""
        return bool(self.conversations) or self.membership or self.every_conversation

    @property
    def empty(self) -> bool:
        return not (self.inbox or self.templates or self.presence)

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(
            conversations=self.conversations | other.conversations,
            membership=self.membership or other.membership,
            every_conversation=self.every_conversation or other.every_conversation,
            templates=self.templates or other.templates,
            presence=self.presence or other.presence,
        )


NOTHING = OpChanges()
EVERYTHING = OpChanges(membership=True, every_conversation=True, templates=True, presence=True)


def conversation_changed(conversation_id: int, membership: bool = True) -> OpChanges:
    """One conversation written: a reply or a new message moves its deadline and last-message
    time (so its place in the listing); a claim or a draft does not."""
    return OpChanges(conversations=frozenset((conversation_id,)), membership=membership)


def from_events(events: Iterable[ChangeEvent]) -> OpChanges:
    """Live events from other desks (or this database's other writers) as one record."""
    messages: set[int] = set()
    claims: set[int] = set()
    templates = presence = everything = False
    for event in events:
        if event.kind in ("changed", "resync"):
            everything = True
        elif event.kind == "message" and event.conversation_id is not None:
            messages.add(event.conversation_id)
        elif event.kind == "claim" and event.conversation_id is not None:
            claims.add(event.conversation_id)
        elif event.kind == "presence":
            presence = True
        elif event.kind == "template":
            templates = True
    if everything:
        return EVERYTHING
    return OpChanges(
        conversations=frozenset(messages | claims),
        # A claim lives in its own table: no filter or sort key of the listing reads it.
        membership=bool(messages),
        templates=templates,
        presence=presence,
    )
