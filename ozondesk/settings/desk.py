"""This desk's settings: one INI file in the user config folder (``OZONDESK_CONFIG_DIR`` wins).

Layout::

    [general]
    version = 1                      # upgrades of the file itself (ozondesk.settings.upgrade)

    [desk]
    interface.language = zh_CN       # desk options, one value for this machine
    window.geometry = 10,40,1200,720

    [database sqlite+pysqlite:////home/li/.local/share/OzonDesk/demo.sqlite]
    version = 1                      # upgrades done for this database
    desk.agent = li.wei              # per-database desk options

A database is named by its URL without the password. Every change is read-modify-write of
the whole file, written to a temporary file and moved over the old one, so a crash or a
full disk never leaves half a file. A value that fails its option's check reads as the
default (logged once); a file that cannot be parsed reads as all defaults (logged once) and
is left alone until the next change, which first keeps a copy of it beside it (``.broken``).
"""

from __future__ import annotations

import configparser
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

import platformdirs
from sqlalchemy.engine import URL

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.settings.registry import Option, Scope, report_once

log = logging.getLogger("ozondesk.settings")

APP_NAME = "OzonDesk"
CONFIG_DIR_ENV = "OZONDESK_CONFIG_DIR"
FILE_NAME = "desk.ini"
GENERAL = "general"
DESK = "desk"
DATABASE_PREFIX = "database "
VERSION = "version"
_EDIT_LOCK = threading.RLock()
HEADER = "# OzonDesk: this desk's settings. Edit only while OzonDesk is closed.\n"
T = TypeVar("T")

class SettingsWriteError(UserError):
    """The settings file could not be written (read-only folder, full disk)."""


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def config_path() -> Path:
    return config_dir() / FILE_NAME


def database_key(url: URL) -> str:
    """How the INI file names a database: its URL without the password."""
    # Not url.set(password=None): ``set`` reads None as "leave as it is".
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def _parser() -> configparser.ConfigParser:
    # No interpolation: a "%" in a path or URL is just a character. Keys keep their case.
    parser = configparser.ConfigParser(
        interpolation=None, default_section="ozondesk:no-defaults", strict=True
    )
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    return parser


class DeskSettings:
    """The INI file's values for this desk, and for one database when ``database`` is given."""

    def __init__(self, path: Path | None = None, database: str | None = None) -> None:
        self.path = path if path is not None else config_path()
        self.database = database
        self.problem: str | None = None  # why the file could not be read; None when it could
        self._parser = _parser()
        self._editing = 0
        self.reload()

    @classmethod
    def for_url(cls, url: URL, path: Path | None = None) -> DeskSettings:
        return cls(path, database_key(url))

    # -- reading ----------------------------------------------------------------------------
    def reload(self) -> None:
        parser = _parser()
        self.problem = None
        try:
            with self.path.open(encoding="utf-8") as handle:
                parser.read_file(handle)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError, configparser.Error) as exc:
            parser = _parser()
            self.problem = " ".join(str(exc).split()) or type(exc).__name__
            stat = self._stat()
            report_once(
                ("broken", str(self.path), stat),
                "desk settings %s cannot be read (%s): using the defaults; the file stays as it "
                "is until a setting is changed, which keeps a copy of it as %s",
                self.path, self.problem, self._broken_copy_path(),
            )
        self._parser = parser

    def _stat(self) -> str:
        try:
            info = self.path.stat()
        except OSError:
            return ""
        return f"{info.st_mtime_ns}:{info.st_size}"

    def _section(self, option: Option[Any]) -> str:
        if option.scope is not Scope.DESK:
            raise ValueError(f"{option.name} is a team option: it lives in the database")
        if not option.per_database:
            return DESK
        if self.database is None:
            raise ValueError(f"{option.name} is kept per database, and none was given")
        return DATABASE_PREFIX + self.database

    def get(self, option: Option[T]) -> T:
        if option.per_database and self.database is None:
            return option.fresh_default()
        section = self._section(option)
        raw = self._parser.get(section, option.name, fallback=None)
        if raw is None:
            return option.fresh_default()
        try:
            return option.from_text(raw)
        except ValueError as exc:
            report_once(
                ("value", str(self.path), section, option.name, raw),
                "desk settings %s: [%s] %s ignored (%s); using the default %r",
                self.path, section, option.name, exc, option.default,
            )
            return option.fresh_default()

    def is_stored(self, option: Option[Any]) -> bool:
        """Whether the file holds a value for ``option`` (valid or not)."""
        if option.per_database and self.database is None:
            return False
        return self._parser.has_option(self._section(option), option.name)

    def version(self, per_database: bool = False) -> int:
        """The last upgrade done for the file, or for this database's section; 0 before any."""
        section = GENERAL if not per_database else DATABASE_PREFIX + (self.database or "")
        raw = self._parser.get(section, VERSION, fallback="0")
        try:
            return max(0, int(raw))
        except ValueError:
            return 0  # upgrades are idempotent: running them again is the safe reading

    # -- writing ----------------------------------------------------------------------------
    @contextmanager
    def edit(self) -> Iterator[DeskSettings]:
        """Several changes in one write: the file is read afresh first, written once at the end.

        Writers in this process take turns (the window's layout on the GUI thread, a language
        chosen on the database worker), so neither undoes the other's change.
        """
        if self._editing:
            self._editing += 1
            try:
                yield self
            finally:
                self._editing -= 1
            return
        with _EDIT_LOCK:
            self.reload()
            self._editing = 1
            try:
                yield self
            except BaseException:
                self._editing = 0
                self.reload()  # what is in memory is what is on disk, never half an edit
                raise
            self._editing = 0
            try:
                self._write()
            except SettingsWriteError:
                self.reload()
                raise

    def set(self, option: Option[T], value: T) -> None:
        """Store a value; ValueError (saying why) when it fails the option's check."""
        checked = option.check(value)
        with self.edit():
            section = self._section(option)
            if not self._parser.has_section(section):
                self._parser.add_section(section)
            self._parser.set(section, option.name, option.to_text(checked))

    def update(self, values: Mapping[Option[Any], Any]) -> None:
        checked = [(option, option.check(value)) for option, value in values.items()]
        with self.edit():
            for option, value in checked:
                self.set(option, value)

    def reset(self, option: Option[Any]) -> None:
        """Forget the stored value: the default applies again."""
        section = self._section(option)
        with self.edit():
            if self._parser.has_section(section):
                self._parser.remove_option(section, option.name)

    def set_version(self, version: int, per_database: bool = False) -> None:
        if per_database and self.database is None:
            raise ValueError("no database to record an upgrade for")
        section = GENERAL if not per_database else DATABASE_PREFIX + str(self.database)
        with self.edit():
            if not self._parser.has_section(section):
                self._parser.add_section(section)
            self._parser.set(section, VERSION, str(version))

    def _broken_copy_path(self) -> Path:
        return self.path.with_name(self.path.name + ".broken")

    def _write(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self.problem is not None and self.path.is_file():
                # The unreadable file is replaced now; whatever was in it stays readable beside it.
                shutil.copyfile(self.path, self._broken_copy_path())
                log.warning("desk settings %s rewritten; the unreadable version is kept as %s",
                            self.path, self._broken_copy_path())
            fd, temp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp",
                                        dir=self.path.parent)
        except OSError as exc:
            raise self._write_error(exc) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(HEADER)
                self._parser.write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(temp)
            raise self._write_error(exc) from None
        self.problem = None

    def _write_error(self, exc: OSError) -> SettingsWriteError:
        return SettingsWriteError(
            _("Cannot save this desk's settings to {path}: {reason}").format(
                path=self.path, reason=exc.strerror or exc
            )
        )
