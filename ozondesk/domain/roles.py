"""Who may do what: the agent / lead / trainer permissions, checked by every service.

Hiding a button is a convenience; these checks are the rule. A service looks the
actor up in the store and calls :func:`require` before it changes anything.
"""

from __future__ import annotations

from typing import Literal

from ozondesk.errors import UserError
from ozondesk.i18n import N_, _

Role = Literal["agent", "lead", "trainer"]
ROLES: tuple[Role, ...] = ("agent", "lead", "trainer")

Permission = Literal[
    "template.edit",
    "template.review",
    "metrics.view",
    "drill.author",
    "drill.grade",
    "drill.take",
    "conversation.reply",
    "team.manage",
    "policy.edit",
    "glossary.edit",
]

_GRANTS: dict[Permission, frozenset[Role]] = {
    "template.edit": frozenset({"agent", "lead", "trainer"}),
    "template.review": frozenset({"lead"}),
    "metrics.view": frozenset({"lead"}),
    "drill.author": frozenset({"trainer", "lead"}),
    "drill.grade": frozenset({"trainer"}),
    "drill.take": frozenset({"agent", "lead", "trainer"}),
    "conversation.reply": frozenset({"agent", "lead"}),
    "team.manage": frozenset({"lead"}),
    "policy.edit": frozenset({"lead"}),
    "glossary.edit": frozenset({"lead"}),
}

_REFUSALS: dict[Permission, str] = {
    "template.edit": N_("your role cannot edit templates"),
    "template.review": N_("only a team lead can approve or reject a template revision"),
    "metrics.view": N_("only a team lead can see the team's metrics"),
    "drill.author": N_("only a trainer or a team lead can build drill sets"),
    "drill.grade": N_("only a trainer can grade drills"),
    "drill.take": N_("your role cannot take drills"),
    "conversation.reply": N_("only agents and team leads reply to buyers"),
    "team.manage": N_("only a team lead can add people or change their names and roles"),
    "policy.edit": N_("only a team lead can change an SLA policy"),
    "glossary.edit": N_("only a team lead can change the translation glossary"),
}


class PermissionDenied(UserError):
    """The actor's role does not allow the action; the message names who may."""


def allowed(role: str, permission: Permission) -> bool:
    return role in _GRANTS[permission]


def require(role: str, permission: Permission) -> None:
    if role not in ROLES:
        raise PermissionDenied(_("unknown role {role!r}; use agent, lead or trainer").format(role=role))
    if not allowed(role, permission):
        raise PermissionDenied(_(_REFUSALS[permission]))
