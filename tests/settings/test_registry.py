"""Options: declared once, typed, checked; a stored text that fails its check is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ozondesk.settings import options
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

DOCS = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_declared_option_is_valid_and_scoped() -> None:
    names = [o.name for o in options.REGISTRY]
    assert len(names) == len(set(names))
    desk = {o.name for o in options.REGISTRY.in_scope(Scope.DESK)}
    team = {o.name for o in options.REGISTRY.in_scope(Scope.TEAM)}
    assert desk == {
        "desk.agent", "interface.language", "presence.auto_away_minutes", "window.geometry",
        "window.maximized", "window.state", "window.inbox_panes", "window.reply_splitter",
        "window.inbox_table_panes", "inbox.column_order", "window.workspace", "inbox.table_view",
        "window.context_panel", "inbox.hidden_columns", "inbox.shown_columns",
        "translate.auto_conversations",
    }
    assert team == {
        "sync.poll_interval", "presence.window_start_minute", "presence.window_end_minute",
        "presence.allowance_minutes", "presence.warning_fraction", "inbox.saved_views",
        "tickets.escalation_address",
        "translation.engine", "translation.url", "translation.folder_id",
    }
    assert [o.name for o in options.REGISTRY if o.per_database] == ["desk.agent", "translate.auto_conversations"]
    # Team options keep the rows written before the registry existed.
    assert (options.POLL_INTERVAL.key, options.POLL_INTERVAL.field) == ("sync.poll", "seconds")
    assert (options.SAVED_VIEWS.key, options.SAVED_VIEWS.field) == ("inbox.views", None)
    assert {o.key for o in options.REGISTRY if o.name.startswith("presence.window")} == {"presence.rules"}


def test_docs_list_every_option_with_its_scope_and_default() -> None:
    text = DOCS.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (desk|team)", text, flags=re.MULTILINE))
    assert rows == {o.name: str(o.scope) for o in options.REGISTRY}


@pytest.mark.parametrize(
    ("option", "text", "value"),
    [
        (IntOption(name="i", default=1, scope=Scope.DESK, doc="", minimum=1, maximum=9), " 7 ", 7),
        (FloatOption(name="f", default=0.5, scope=Scope.DESK, doc="", above=0.0), "0.25", 0.25),
        (BoolOption(name="b", default=False, scope=Scope.DESK, doc=""), "Yes", True),
        (BoolOption(name="b", default=True, scope=Scope.DESK, doc=""), "off", False),
        (TextOption(name="t", default="a", scope=Scope.DESK, doc="", choices=("a", "zh_CN")), "zh_CN", "zh_CN"),
        (IntListOption(name="l", default=(), scope=Scope.DESK, doc=""), "90, 150,0", (90, 150, 0)),
        (IntListOption(name="l", default=(), scope=Scope.DESK, doc=""), "", ()),
        (IntListOption(name="g", default=(), scope=Scope.DESK, doc="", length=4, minimum=-10), "-5,0,800,600",
         (-5, 0, 800, 600)),
        (BytesOption(name="s", default=b"", scope=Scope.DESK, doc=""), "AAEC/w==", b"\x00\x01\x02\xff"),
        (JsonOption(name="j", default={}, scope=Scope.DESK, doc=""), '{"a": [1, 2]}', {"a": [1, 2]}),
    ],
)
def test_text_round_trip(option: Any, text: str, value: Any) -> None:
    assert option.from_text(text) == value
    assert option.from_text(option.to_text(value)) == value


@pytest.mark.parametrize(
    ("option", "text", "problem"),
    [
        (IntOption(name="i", default=1, scope=Scope.DESK, doc="", minimum=1, maximum=9), "0", "i: 0 is below 1"),
        (IntOption(name="i", default=1, scope=Scope.DESK, doc="", minimum=1, maximum=9), "10", "i: 10 is above 9"),
        (IntOption(name="i", default=1, scope=Scope.DESK, doc=""), "ten", "i: expected a whole number, got 'ten'"),
        (FloatOption(name="f", default=0.5, scope=Scope.DESK, doc="", above=0.0), "0", "f: 0.0 is not above 0.0"),
        (FloatOption(name="f", default=0.5, scope=Scope.DESK, doc=""), "nan", "f: expected a number, got nan"),
        (BoolOption(name="b", default=False, scope=Scope.DESK, doc=""), "maybe",
         "b: expected true or false, got 'maybe'"),
        (TextOption(name="t", default="a", scope=Scope.DESK, doc="", choices=("a", "b")), "c",
         "t: 'c' is not one of a, b"),
        (IntListOption(name="l", default=(), scope=Scope.DESK, doc=""), "1,x",
         "l: expected numbers separated by commas, got '1,x'"),
        (IntListOption(name="l", default=(), scope=Scope.DESK, doc=""), "5,-1", "l: numbers below 0 in (5, -1)"),
        (IntListOption(name="g", default=(), scope=Scope.DESK, doc="", length=4), "1,2,3",
         "g: expected 4 numbers, got 3"),
        (BytesOption(name="s", default=b"", scope=Scope.DESK, doc=""), "not base64!", "s: not base64 text"),
        (JsonOption(name="j", default={}, scope=Scope.DESK, doc=""), "{", "j: not JSON text"),
    ],
)
def test_bad_text_is_refused_with_the_reason(option: Any, text: str, problem: str) -> None:
    with pytest.raises(ValueError) as caught:
        option.from_text(text)
    assert str(caught.value) == problem


def test_check_refuses_the_wrong_type() -> None:
    number = IntOption(name="i", default=1, scope=Scope.DESK, doc="")
    with pytest.raises(ValueError, match="expected a whole number"):
        number.check(True)  # a bool is an int to Python, not to a setting
    assert number.from_json(540.0) == 540  # JSON's one number type
    with pytest.raises(ValueError):
        number.from_json(540.5)
    with pytest.raises(ValueError, match="one line"):
        TextOption(name="t", default="", scope=Scope.DESK, doc="").check("a\nb")


def test_a_json_default_is_never_shared() -> None:
    first = options.SAVED_VIEWS.fresh_default()
    first["mine"] = {}
    assert options.SAVED_VIEWS.fresh_default() == {} and options.SAVED_VIEWS.default == {}


def test_declaring_mistakes_are_refused() -> None:
    registry = Registry()
    registry.declare(IntOption(name="a", default=1, scope=Scope.DESK, doc=""))
    with pytest.raises(ValueError, match="declared twice"):
        registry.declare(IntOption(name="a", default=2, scope=Scope.DESK, doc=""))
    with pytest.raises(ValueError, match="needs the settings row"):
        registry.declare(IntOption(name="b", default=1, scope=Scope.TEAM, doc=""))
    with pytest.raises(ValueError, match="lives in the INI file"):
        registry.declare(IntOption(name="c", default=1, scope=Scope.DESK, doc="", key="x"))
    with pytest.raises(ValueError, match="only desk options"):
        registry.declare(IntOption(name="d", default=1, scope=Scope.TEAM, doc="", key="x", per_database=True))
    with pytest.raises(ValueError, match="below 5"):
        registry.declare(IntOption(name="e", default=1, scope=Scope.DESK, doc="", minimum=5))
    assert [o.name for o in registry] == ["a"] and "a" in registry and registry["a"].default == 1
