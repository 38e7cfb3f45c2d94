"""The suite-wide log check (tests/log_leaks.py) fails a test that logs what it typed or a key."""

from __future__ import annotations

import logging

import pytest
from log_leaks import REGISTRY, LeakHandler

from ozondesk.services.credentials import register_secret

pytest_plugins = ["pytester"]

INNER = '''
import logging

import pytest
from PySide6.QtWidgets import QLineEdit
from support import MemoryKeyring

log = logging.getLogger("ozondesk.ui")


def test_logs_typed_text(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    qtbot.keyClicks(edit, "wrong-order-4711")
    log.debug("editor says %s", edit.text())


def test_logs_set_text_in_an_exception(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.setText("Заказ придёт 25 ноября")
    try:
        raise ValueError(edit.text())
    except ValueError:
        log.exception("could not save")


def test_logs_a_stored_key():
    MemoryKeyring().set_password("ozondesk", "123", "unregistered-key-999")
    logging.getLogger("httpx").warning("headers: %s", "unregistered-key-999")


def test_logs_a_text_named_with_the_fixture(typed):
    typed("Иван Петров, Ленина 5")
    log.info("buyer Иван Петров, Ленина 5 wrote")


def test_logs_short_and_app_set_texts_only(qtbot):
    edit = QLineEdit()
    qtbot.addWidget(edit)
    edit.setText("Анна")  # shorter than six characters: not watched
    log.warning("buyer %s", edit.text())


@pytest.mark.leaks_logged_on_purpose
def test_marked_on_purpose(typed):
    typed("marked-on-purpose")
    log.error("marked-on-purpose")
'''


@pytest.mark.leaks_logged_on_purpose  # the inner run's records reach this test's handler too
def test_a_test_that_logs_typed_text_or_a_key_fails(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        "from log_leaks import _no_leaks_in_logs, install_watchers, pytest_runtest_call, typed\n"
        "def pytest_configure(config):\n"
        "    install_watchers()\n"
    )
    pytester.makeini(
        "[pytest]\nqt_api = pyside6\nmarkers =\n    leaks_logged_on_purpose: on purpose\n"
    )
    pytester.makepyfile(test_inner=INNER)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-rf")
    outcomes = result.parseoutcomes()
    assert (outcomes.get("failed"), outcomes.get("passed"), outcomes.get("errors")) == (4, 2, None)
    result.stdout.fnmatch_lines_random([
        "FAILED test_inner.py::test_logs_typed_text - *",
        "FAILED test_inner.py::test_logs_set_text_in_an_exception - *",
        "FAILED test_inner.py::test_logs_a_stored_key - *",
        "FAILED test_inner.py::test_logs_a_text_named_with_the_fixture - *",
    ])
    # The report quotes the text and the line, so the leak can be found.
    result.stdout.fnmatch_lines_random([
        "1 log line(s) carry a typed text or a secret:",
        "*'wrong-order-4711' in: 'DEBUG ozondesk.ui: editor says wrong-order-4711'*",
        "*'Заказ придёт 25 ноября' in: *ValueError: Заказ придёт 25 ноября*",
        "*'unregistered-key-999' in: 'WARNING httpx: headers: unregistered-key-999'*",
    ])


def test_the_handler_checks_what_the_desk_log_would_write() -> None:
    handler = LeakHandler()
    logger = logging.getLogger("ozondesk.test.leaks")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        register_secret("registered-key-0001")  # the app masks a key it knows
        logger.debug("key %s", "registered-key-0001")
        logger.info("phone +7 912 345-67-89")  # contact details are masked as in the file log
        logger.info("free text: a1b2c3d4")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
    assert handler.lines == [
        "DEBUG ozondesk.test.leaks: key ***",
        handler.lines[1],
        "INFO ozondesk.test.leaks: free text: a1b2c3d4",
    ]
    assert "912" not in handler.lines[1]
    watched = {"registered-key-0001", "+7 912 345-67-89", "a1b2c3d4"}
    assert handler.leaks(watched) == [("a1b2c3d4", "INFO ozondesk.test.leaks: free text: a1b2c3d4")]


def test_short_strings_and_non_text_are_not_watched() -> None:
    before = REGISTRY.watched()
    REGISTRY.remember("Анна")
    REGISTRY.remember(None)
    REGISTRY.remember("line one is long\nok")
    assert REGISTRY.watched() - before == {"line one is long\nok", "line one is long"}
