"""Suite-wide check: no log line carries a text the tests typed or a secret they used.

Every log record of the test (any logger, any level: ``ozondesk`` logs at DEBUG while a test
runs) is formatted as the desk's own log file would write it — message, arguments and
exception text, after the same filters (``SecretRedactor``, ``PrivacyFilter``) — and searched
for every remembered string. Strings are remembered where tests hand them to the app:

- typed into a widget from test code: ``qtbot.keyClicks``, ``setText`` / ``setPlainText`` /
  ``insertPlainText`` of line and text edits (calls made by the app itself are not counted);
- secrets: whatever is stored in the test keyrings (``MemoryKeyring``, ``JsonFileKeyring``, the
  ``keyring`` module), the fake Ozon server's API keys, the test PostgreSQL server's password;
- anything else a test names with the ``typed`` fixture: ``typed("Заказ придёт 25 ноября")``.

Strings shorter than ``MIN_LENGTH`` are skipped: "ok" or "Анна" would match by accident.
A leak in the test body fails the test; one logged while fixtures are torn down errors it.
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

import pytest

import ozondesk

MIN_LENGTH = 6
APP = Path(ozondesk.__file__).resolve().parent


class LeakRegistry:
    """The strings of the running test (typed) and of the session (secrets)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.typed: set[str] = set()
        self.secrets: set[str] = set()

    def remember(self, text: object, *, secret: bool = False) -> None:
        if not isinstance(text, str):
            return
        for part in {text, *text.splitlines()}:  # a line of a typed paragraph is typed too
            part = part.strip()
            if len(part) >= MIN_LENGTH:
                with self._lock:
                    (self.secrets if secret else self.typed).add(part)

    def watched(self) -> set[str]:
        with self._lock:
            return self.typed | self.secrets

    def new_test(self) -> None:
        with self._lock:
            self.typed.clear()


REGISTRY = LeakRegistry()


class LeakHandler(logging.Handler):
    """Keeps every record's text as the desk's file log would write it."""

    def __init__(self) -> None:
        super().__init__(level=logging.NOTSET)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        from ozondesk.crash import PrivacyFilter
        from ozondesk.services.credentials import SecretRedactor

        shown = copy.copy(record)  # the filters rewrite the record; other handlers get the original
        SecretRedactor().filter(shown)
        PrivacyFilter().filter(shown)
        try:
            text = self.format(shown)
        except Exception as exc:  # noqa: BLE001 - a bad format string is a finding of its own
            text = f"unformattable record {record.msg!r}: {exc}"
        self.lines.append(text)

    def leaks(self, watched: set[str]) -> list[tuple[str, str]]:
        return [(s, line) for line in self.lines for s in sorted(watched) if s in line]


def describe(leaks: list[tuple[str, str]]) -> str:
    shown = "\n".join(f"  {text!r} in: {line[:300]!r}" for text, line in leaks[:5])
    return f"{len(leaks)} log line(s) carry a typed text or a secret:\n{shown}"


# -- where the tests hand strings to the app -------------------------------------------------


def _from_tests(depth: int = 2) -> bool:
    """True when the caller's caller is test code, not ozondesk setting a widget's text."""
    return not Path(sys._getframe(depth).f_code.co_filename).resolve().is_relative_to(APP)


def _typing(method: Callable[..., Any], index: int) -> Callable[..., Any]:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) > index and _from_tests():
            REGISTRY.remember(args[index])
        return method(*args, **kwargs)

    wrapper.__leak_wrapped__ = True  # type: ignore[attr-defined]
    return wrapper


def _storing(method: Callable[..., Any], index: int) -> Callable[..., Any]:
    @wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if len(args) > index:
            REGISTRY.remember(args[index], secret=True)
        return method(*args, **kwargs)

    wrapper.__leak_wrapped__ = True  # type: ignore[attr-defined]
    return wrapper


def install_watchers() -> None:
    """Wrap the few methods through which tests type text and store secrets (once)."""
    import keyring
    from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QTextEdit
    from pytestqt.qtbot import QtBot

    if getattr(QLineEdit.setText, "__leak_wrapped__", False):
        return
    # Qt's methods: the text is the argument after self.
    QLineEdit.setText = _typing(QLineEdit.setText, 1)  # type: ignore[method-assign]
    QLineEdit.insert = _typing(QLineEdit.insert, 1)  # type: ignore[method-assign]
    for cls in (QPlainTextEdit, QTextEdit):
        cls.setPlainText = _typing(cls.setPlainText, 1)  # type: ignore[method-assign]
        cls.insertPlainText = _typing(cls.insertPlainText, 1)  # type: ignore[method-assign]
    QTextEdit.setText = _typing(QTextEdit.setText, 1)  # type: ignore[method-assign]
    # A static method (widget, text): it stays one.
    QtBot.keyClicks = staticmethod(_typing(QtBot.keyClicks, 1))  # type: ignore[method-assign]
    keyring.set_password = _storing(keyring.set_password, 2)


def install_late_watchers() -> None:
    """The test doubles, once a test module has imported them: importing a keyring backend
    here would make keyring consider it for every test."""
    doubles = [getattr(sys.modules.get(name), attr, None)
               for name, attr in (("support", "MemoryKeyring"), ("keyring_file", "JsonFileKeyring"))]
    for backend in filter(None, doubles):
        if not getattr(backend.set_password, "__leak_wrapped__", False):
            backend.set_password = _storing(backend.set_password, 3)
    fake = getattr(sys.modules.get("ozondesk.ozon.fake.server"), "FakeOzon", None)
    if fake is not None and not getattr(fake.__init__, "__leak_wrapped__", False):
        original_init = fake.__init__

        @wraps(original_init)
        def fake_init(self: Any, *args: Any, **kwargs: Any) -> None:
            original_init(self, *args, **kwargs)
            REGISTRY.remember(self.api_key, secret=True)

        fake_init.__leak_wrapped__ = True  # type: ignore[attr-defined]
        fake.__init__ = fake_init


# -- the hooks and fixtures conftest.py takes over -------------------------------------------

_HANDLER = pytest.StashKey[LeakHandler]()


@pytest.fixture(autouse=True)
def _no_leaks_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    REGISTRY.new_test()
    install_late_watchers()
    handler = LeakHandler()
    root, ours = logging.getLogger(), logging.getLogger("ozondesk")
    level = ours.level
    ours.setLevel(logging.DEBUG)  # debug records too: "any level"
    root.addHandler(handler)
    request.node.stash[_HANDLER] = handler
    try:
        yield
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)
    if request.node.get_closest_marker("leaks_logged_on_purpose") is None:
        found = handler.leaks(REGISTRY.watched())
        if found:
            pytest.fail(describe(found), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    result = yield
    handler = item.stash.get(_HANDLER, None)
    if handler is not None and item.get_closest_marker("leaks_logged_on_purpose") is None:
        found = handler.leaks(REGISTRY.watched())
        if found:
            handler.lines.clear()  # reported here, not again at teardown
            pytest.fail(describe(found), pytrace=False)
    return result


@pytest.fixture
def typed() -> Callable[[str], None]:
    """``typed(text)``: watch ``text`` in the logs like text typed into a widget."""
    return REGISTRY.remember
