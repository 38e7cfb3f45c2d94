"""Every setting OzonDesk keeps, declared once: name, type, default, validation, scope.

**Desk** options belong to this machine and sit in its INI file (``ozondesk.settings.desk``):
who works here, the interface language, the window's layout, auto-away. Two desks on one
team database keep their own. **Team** options sit in the database's ``settings`` table
(``ozondesk.settings.team``) and are the same on every desk: presence rules, the polling
interval, the saved inbox views.

Team settings with tables of their own are not options here: the SLA policies and their
business calendars (``sla_policy_revisions``, ``business_calendars``, edited through policy
revisions), the shops (``shops``; their API keys only in the OS keyring) and the people
(``agents``). The ``presence.heartbeat.<agent id>`` rows of the settings table are each
desk's liveness record, not settings.

To add an option: declare it here with ``REGISTRY.declare(...)``, then read it with
``DeskSettings.get(OPTION)`` or ``TeamSettings(db).get(OPTION)``; docs/settings.md lists them
all (a test keeps the list complete).
"""

from __future__ import annotations

from typing import Any

from ozondesk.i18n import SUPPORTED
from ozondesk.settings.registry import (
    BoolOption,
    BytesOption,
    FloatOption,
    IntListOption,
    IntOption,
    JsonOption,
    Registry,
    Scope,
    TextOption,
)
from ozondesk.store.seed import PRESENCE_DEFAULTS, PRESENCE_KEY

REGISTRY = Registry()
DESK, TEAM = Scope.DESK, Scope.TEAM

# -- this desk ------------------------------------------------------------------------------
DESK_AGENT = REGISTRY.declare(TextOption(
    name="desk.agent", default="", scope=DESK, per_database=True, max_length=100,
    doc="Login of the person working at this desk on this database; empty: the first agent.",
))
LANGUAGE = REGISTRY.declare(TextOption(
    name="interface.language", default="system", scope=DESK, choices=("system", *SUPPORTED),
    doc="Interface language, applied at the next start; 'system' follows the system locale.",
))
AUTO_AWAY_MINUTES = REGISTRY.declare(IntOption(
    name="presence.auto_away_minutes", default=10, scope=DESK, minimum=1, maximum=240,
    doc="Minutes without mouse or keyboard input before the desk's agent is set away.",
))
WINDOW_GEOMETRY = REGISTRY.declare(IntListOption(
    name="window.geometry", default=(), scope=DESK, length=4, minimum=-100_000,
    doc="The main window's normal x, y, width and height; clamped to a screen when restored.",
))
WINDOW_MAXIMIZED = REGISTRY.declare(BoolOption(
    name="window.maximized", default=False, scope=DESK,
    doc="Whether the main window was maximised when it closed.",
))
WINDOW_STATE = REGISTRY.declare(BytesOption(
    name="window.state", default=b"", scope=DESK,
    doc="Toolbars and docks of the main window (Qt's saveState), base64.",
))
INBOX_SPLITTER = REGISTRY.declare(IntListOption(
    name="window.inbox_panes", default=(), scope=DESK, length=3,
    doc="Widths of the inbox's three panes with the compact list: conversations, the conversation and reply, "
        "the context (0: collapsed).",
))
TABLE_SPLITTER = REGISTRY.declare(IntListOption(
    name="window.inbox_table_panes", default=(), scope=DESK, length=3,
    doc="The same three widths with the table view.",
))
TABLE_VIEW = REGISTRY.declare(BoolOption(
    name="inbox.table_view", default=False, scope=DESK,
    doc="Whether the inbox shows the full table instead of the compact two-line list.",
))
CONTEXT_PANEL = REGISTRY.declare(BoolOption(
    name="window.context_panel", default=True, scope=DESK,
    doc="Whether the context pane (order, logistics, history) beside the conversation is shown.",
))
REPLY_SPLITTER = REGISTRY.declare(IntListOption(
    name="window.reply_splitter", default=(), scope=DESK, length=2,
    doc="Heights of the conversation thread and the reply composer under it.",
))
COLUMN_ORDER = REGISTRY.declare(IntListOption(
    name="inbox.column_order", default=(), scope=DESK,
    doc="The inbox columns in the order shown, as column numbers.",
))
HIDDEN_COLUMNS = REGISTRY.declare(IntListOption(
    name="inbox.hidden_columns", default=(), scope=DESK,
    doc="Inbox table columns hidden from the header's menu, as column numbers.",
))
SHOWN_COLUMNS = REGISTRY.declare(IntListOption(
    name="inbox.shown_columns", default=(), scope=DESK,
    doc="Inbox table columns ticked in the header's menu: shown even when the pane is too narrow for all.",
))
LAST_WORKSPACE = REGISTRY.declare(TextOption(
    name="window.workspace", default="inbox", scope=DESK, max_length=40,
    doc="The workspace shown when the window closed (inbox if the role no longer has it).",
))
TRANSLATE_AUTO = REGISTRY.declare(IntListOption(
    name="translate.auto_conversations", default=(), scope=DESK, per_database=True, minimum=1,
    max_items=1000,
    doc="Conversations whose buyer messages this desk translates into Chinese by itself, newest first.",
))

# -- the whole team -------------------------------------------------------------------------
POLL_INTERVAL = REGISTRY.declare(IntOption(
    name="sync.poll_interval", default=60, scope=TEAM, minimum=10, maximum=3600,
    key="sync.poll", field="seconds",
    doc="Seconds between checks for unread chats (and outbox deliveries) while online.",
))
PRESENCE_WINDOW_START = REGISTRY.declare(IntOption(
    name="presence.window_start_minute", default=int(PRESENCE_DEFAULTS["window_start_minute"]),
    scope=TEAM, minimum=0, maximum=1440, key=PRESENCE_KEY, field="window_start_minute",
    doc="Start of the daily presence window, minutes after Moscow midnight (09:00 = 540).",
))
PRESENCE_WINDOW_END = REGISTRY.declare(IntOption(
    name="presence.window_end_minute", default=int(PRESENCE_DEFAULTS["window_end_minute"]),
    scope=TEAM, minimum=0, maximum=1440, key=PRESENCE_KEY, field="window_end_minute",
    doc="End of the daily presence window, minutes after Moscow midnight (23:00 = 1380).",
))
PRESENCE_ALLOWANCE = REGISTRY.declare(FloatOption(
    name="presence.allowance_minutes", default=float(PRESENCE_DEFAULTS["allowance_minutes"]),
    scope=TEAM, minimum=0.0, maximum=1440.0, key=PRESENCE_KEY, field="allowance_minutes",
    doc="Offline minutes a day inside the window before the day counts as a breach.",
))
PRESENCE_WARNING = REGISTRY.declare(FloatOption(
    name="presence.warning_fraction", default=float(PRESENCE_DEFAULTS["warning_fraction"]),
    scope=TEAM, above=0.0, maximum=1.0, key=PRESENCE_KEY, field="warning_fraction",
    doc="Share of the allowance used up at which the desk warns.",
))


def _saved_views(value: Any) -> dict[str, dict[str, Any]]:
    # One damaged view must not cost the team the others: only it is dropped.
    if not isinstance(value, dict):
        raise ValueError("inbox.saved_views: expected named filters")
    return {name: view for name, view in value.items()
            if isinstance(name, str) and 0 < len(name) <= 60 and isinstance(view, dict)}


SAVED_VIEWS = REGISTRY.declare(JsonOption(
    name="inbox.saved_views", default={}, scope=TEAM, key="inbox.views", validate=_saved_views,
    doc="Named inbox filters, shared with the team (name → filter fields).",
))



class AddressOption(TextOption):
    """One e-mail address or nothing: anything else would open a broken mail draft."""

    def check(self, value: Any) -> str:
        text = super().check(value)
        if text and (text.count("@") != 1 or any(c.isspace() or c in ",;<>" for c in text)):
            raise ValueError(f"{self.name}: one e-mail address, e.g. name@example.com")
        return text


ESCALATION_ADDRESS = REGISTRY.declare(AddressOption(
    name="tickets.escalation_address", default="", scope=TEAM, key="tickets.escalation",
    field="address", max_length=200,
    doc="Ozon's China seller-support address that escalation e-mails go to; a lead fills it in "
        "(empty: the draft opens without an address).",
))


# -- translation assist (#18): which engine the team uses; keys only in each desk's keyring ---
TRANSLATION_ENGINE = REGISTRY.declare(TextOption(
    name="translation.engine", default="", scope=TEAM, key="translation", field="engine",
    choices=("", "yandex", "libretranslate", "deepl"),
    doc="Machine translation engine of the team: yandex, libretranslate or deepl; empty: none.",
))
TRANSLATION_URL = REGISTRY.declare(TextOption(
    name="translation.url", default="", scope=TEAM, key="translation", field="url",
    max_length=300,
    doc="Server address: the LibreTranslate server, or another endpoint of the engine; empty: "
        "the engine's public address.",
))
TRANSLATION_FOLDER = REGISTRY.declare(TextOption(
    name="translation.folder_id", default="", scope=TEAM, key="translation", field="folder_id",
    max_length=100,
    doc="Yandex Cloud folder id sent with each request (not needed with a service account's "
        "API key).",
))
