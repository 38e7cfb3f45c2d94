"""Every failure sorted into two kinds: a **known** error (the environment or the input is at
fault: one line in the user's language saying what to do) or a **bug** (written with its
traceback to a rotating log in the user log folder, and shown as a crash report).

The CLI and the GUI both go through :func:`sort_error`; the GUI also installs
``sys.excepthook`` and Qt's message handler (``ozondesk.ui.crash_dialog``) so a failure in a
slot is sorted the same way instead of being printed and forgotten.
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import platformdirs

from ozondesk import __version__
from ozondesk.errors import UserError
from ozondesk.i18n import _

log = logging.getLogger("ozondesk.crash")
# A bug's traceback goes to the log file only; the terminal and the screen get its one line.
log.propagate = False

LOG_DIR_ENV = "OZONDESK_LOG_DIR"
LOG_NAME = "ozondesk.log"
_LOG_BYTES = 1_000_000
_LOG_COUNT = 5

# Customers' contact details never reach a log file (152-FZ): a Russian phone number in any of
# its usual spellings, and an e-mail address. Bounded repetitions keep both linear in time.
_PHONE = re.compile(r"(?<!\d)(?:\+7|8)[\s(-]{0,2}\d{3}[\s)-]{0,2}\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")


class BugError(UserError):
    """What the user sees of a bug: one line naming the log that holds the details."""

    exit_code = 70  # EX_SOFTWARE

    def __init__(self, message: str, details: str, log_path: Path | None) -> None:
        super().__init__(message)
        self.details = details
        self.log_path = log_path


class KnownEnvironmentError(UserError):
    """The machine is at fault (a full disk, a file without permission): say what to do."""


def log_dir() -> Path:
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    return Path(platformdirs.user_log_dir("OzonDesk", appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def mask_private(text: str) -> str:
    """Phones and e-mail addresses replaced, for text bound for a log."""
    return _EMAIL.sub("<e-mail>", _PHONE.sub("<phone>", text))


class PrivacyFilter(logging.Filter):
    """Masks phones and e-mails in every record (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = mask_private(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_private(record.exc_text)
        return True


_file_handler: logging.Handler | None = None
_handler_lock = threading.Lock()


def install_file_log(level: int = logging.INFO) -> Path | None:
    """The rotating log in the user log folder, on the root logger, once per process; secrets and
    contact details are masked on the way in. None when the folder cannot be written (the
    desk still works; bugs then go to stderr only)."""
    global _file_handler
    from ozondesk.services.credentials import SecretRedactor

    with _handler_lock:
        if _file_handler is not None:
            return Path(getattr(_file_handler, "baseFilename", log_path()))
        path = log_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=_LOG_BYTES, backupCount=_LOG_COUNT, encoding="utf-8", delay=True
            )
        except OSError:
            return None
        handler.setLevel(level)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s")
        )
        handler.addFilter(SecretRedactor())
        handler.addFilter(PrivacyFilter())
        # The root logger's level (WARNING, set by the entry points) decides what reaches it.
        logging.getLogger().addHandler(handler)
        log.addHandler(handler)
        _file_handler = handler
        return path


def remove_file_log() -> None:
    """Detach the file log (tests, and a process that changes its log folder)."""
    global _file_handler
    with _handler_lock:
        if _file_handler is not None:
            logging.getLogger().removeHandler(_file_handler)
            log.removeHandler(_file_handler)
            _file_handler.close()
            _file_handler = None


# --- bugs -------------------------------------------------------------------------------------

_bugs = 0
_bug_lock = threading.Lock()
_listeners: list[Callable[[BugError], None]] = []


def bug_count() -> int:
    """Bugs recorded by this process; ``--self-test`` fails when it is not zero."""
    return _bugs


def on_bug(listener: Callable[[BugError], None]) -> Callable[[], None]:
    """Call ``listener`` for every bug recorded from now on (the GUI shows the crash dialog);
    returns the function that removes it again."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener) if listener in _listeners else None


def record_bug(
    exc: BaseException, tb: TracebackType | None = None, *, where: str = ""
) -> BugError:
    """Write the bug with its traceback to the log and tell the listeners; the returned error is
    the one line to show."""
    global _bugs
    from ozondesk.services.credentials import redact

    with _bug_lock:
        _bugs += 1
    trace = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    details = mask_private(redact(
        f"OzonDesk {__version__}{' — ' + where if where else ''}\n{trace}"
    ))
    path = install_file_log()
    if path is not None:
        log.critical("bug%s: %s", f" in {where}" if where else "", details)
    else:
        sys.stderr.write(details + "\n")
    shown = path
    message = (
        _("OzonDesk hit a problem it does not know ({kind}); the details are in {path}").format(
            kind=type(exc).__name__, path=shown
        )
        if shown
        else _("OzonDesk hit a problem it does not know ({kind})").format(kind=type(exc).__name__)
    )
    bug = BugError(message, details, shown)
    for listener in list(_listeners):
        try:
            listener(bug)
        except Exception:  # noqa: BLE001 - a failing listener must not hide the bug itself
            log.exception("crash listener failed")
    return bug


# --- sorting ----------------------------------------------------------------------------------

_OS_KNOWN = {
    errno.ENOSPC: lambda e: _("the disk is full ({path}): free some space and try again"),
    errno.EDQUOT: lambda e: _("your disk quota is used up ({path}): free some space and try again"),
    errno.EACCES: lambda e: _("no permission to use {path}: check the file's permissions"),
    errno.EPERM: lambda e: _("no permission to use {path}: check the file's permissions"),
    errno.EROFS: lambda e: _("{path} is on a read-only disk: choose a writable place"),
    errno.EIO: lambda e: _("the disk failed reading or writing {path}: check the disk"),
}


def known_error(exc: BaseException) -> UserError | None:
    """The one-line error for a failure the user can act on, or None for a bug."""
    if isinstance(exc, UserError):
        return exc
    from ozondesk.ozon.errors import OzonError
    from ozondesk.store.classify import known_database_error

    if isinstance(exc, OzonError):
        return UserError(f"{exc} — {exc.hint}")
    database = known_database_error(exc)
    if database is not None:
        return database
    if isinstance(exc, OSError) and exc.errno in _OS_KNOWN:
        where = exc.filename or _("a file")
        return KnownEnvironmentError(_OS_KNOWN[exc.errno](exc).format(path=where))
    if isinstance(exc, MemoryError):
        return KnownEnvironmentError(_("the computer ran out of memory: close other programs and try again"))
    return None


def sort_error(exc: BaseException, *, where: str = "") -> UserError:
    """A known error as it is, or a bug recorded (log + listeners) and turned into its one line."""
    known = known_error(exc)
    if known is not None:
        return known
    return record_bug(exc, where=where)
