"""Translation assist (#18): Russian ↔ Chinese through the engine the team chose, the careful way.

``TranslationService.translate`` masks personal data, placeholders, Moscow deadlines and
glossary terms (``ozondesk.domain.translation_protect``), asks the team's translation memory
first (same masked text, same engine, same direction → no second request), sends only what is
left to the engine, restores the result and counts the characters sent per Moscow day.

It blocks on the network: call it on the TaskRunner's worker, never on the GUI thread. Every
failure a user can act on (no engine chosen, a bad key, a used-up quota, no network) is a
``UserError`` with one line saying what to do.

Which engine: the team options ``translation.engine`` / ``.url`` / ``.folder_id``
(``ozondesk.settings.options``); its key from ``OZONDESK_TRANSLATE_KEY`` or this desk's keyring
(``ozondesk.services.translation_keys``). Tests inject an engine object instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from keyring.backend import KeyringBackend

from ozondesk.domain import roles
from ozondesk.domain.clock import to_zone, utcnow
from ozondesk.domain.translation_protect import (
    Lang,
    Protected,
    plain_preview,
    protect,
    restore,
    split_markup,
)
from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.keyring_check import KeyringUnavailable
from ozondesk.settings import options
from ozondesk.settings.team import read as read_option
from ozondesk.store.db import Database
from ozondesk.store.models import Agent
from ozondesk.store.repos import audit
from ozondesk.store.repos import translation as repo
from ozondesk.store.repos.translation import GlossaryEntry, UsageRow
from ozondesk.translation.engine import Engine, display_name
from ozondesk.translation.engines import NEEDS_KEY, EngineConfig, build_engine

__all__ = ["GlossaryEntry", "Lang", "Translation", "TranslationService", "UsageRow"]

log = logging.getLogger("ozondesk.translation")

MAX_TEXT = 20_000  # characters per translate() call: a message or a reply, not a document
MAX_TERM = 200


@dataclass(frozen=True)
class Translation:
    text: str  # translated, with placeholders, deadlines, masked data and glossary terms restored
    engine: str  # "yandex" | "libretranslate" | "deepl" | "fake"
    cached: bool
    masked: tuple[str, ...]  # kinds of personal data kept home, e.g. ("phone", "order_number")
    lost: tuple[str, ...] = ()  # protected parts the engine dropped (appended at the end)


def _other(lang: Lang) -> Lang:
    return "zh" if lang == "ru" else "ru"


class TranslationService:
    """One desk's way to the team's translation engine, cache, glossary and usage counts.

    ``engine``: an engine object to use instead of the configured one (tests, the fake).
    ``agent_id``: the person at this desk, whose role decides who may edit the glossary.
    ``override``: an engine choice that wins over the team's (``ozondesk translate --engine``).
    ``key``: a key to use instead of the stored one (Settings' test of a key not saved yet).
    ``db`` None (a script on a machine without a desk database): no cache, glossary or counts.
    """

    def __init__(
        self,
        db: Database | None,
        *,
        engine: Engine | None = None,
        override: EngineConfig | None = None,
        key: str | None = None,
        keyring_backend: KeyringBackend | None = None,
        agent_id: int | None = None,
        clock: Callable[[], datetime] = utcnow,
        engine_options: dict[str, Any] | None = None,
    ) -> None:
        from ozondesk.services.translation_keys import TranslationKeys

        self.db = db
        self.agent_id = agent_id
        self.keys = TranslationKeys(keyring_backend)
        self._injected = engine
        self._override = override
        self._key = key.strip() if key else None
        self._clock = clock
        self._engine_options = engine_options or {}
        self._built: tuple[EngineConfig, Engine] | None = None
        self._lock = threading.Lock()

    # -- which engine ------------------------------------------------------------------------
    def config(self) -> EngineConfig:
        """The team's engine choice, server address and folder id (no key)."""
        if self.db is None:
            team = EngineConfig("")
        else:
            with self.db.read() as session:
                team = EngineConfig(
                    read_option(session, options.TRANSLATION_ENGINE),
                    read_option(session, options.TRANSLATION_URL),
                    read_option(session, options.TRANSLATION_FOLDER),
                )
        if self._override is None:
            return team
        o = self._override
        if o.engine and o.engine != team.engine:
            # Another engine than the team's: none of the team's address or folder applies.
            return EngineConfig(o.engine, o.url, o.folder_id)
        return EngineConfig(o.engine or team.engine, o.url or team.url,
                            o.folder_id or team.folder_id)

    def configure(self, engine: str, *, url: str = "", folder_id: str = "",
                  key: str | None = None) -> None:
        """Choose the team's engine (a lead's or admin's choice in Settings); ``key`` (when
        given and not empty) goes to this desk's keyring, never the database."""
        from ozondesk.settings.team import write as write_option

        checked = EngineConfig(engine, url.strip(), folder_id.strip()).checked()
        if self.db is None:
            raise UserError(_("the engine choice is kept in the desk's database: open one first"))
        if key and key.strip():
            self.keys.set(engine, key)
        with self.db.begin() as session:
            write_option(session, options.TRANSLATION_ENGINE, checked.engine)
            write_option(session, options.TRANSLATION_URL, checked.url)
            write_option(session, options.TRANSLATION_FOLDER, checked.folder_id)
        with self._lock:
            self._drop_built()

    def configured(self) -> bool:
        """An engine is chosen and usable (its key is at hand where it needs one)."""
        if self._injected is not None:
            return True
        config = self.config()
        if not config.engine:
            return False
        if config.engine not in NEEDS_KEY:
            return True
        try:
            return bool(self._key_for(config.engine))
        except KeyringUnavailable:
            return False

    def _key_for(self, engine: str) -> str:
        if self._key:
            from ozondesk.services.credentials import register_secret

            register_secret(self._key)
            return self._key
        if engine not in NEEDS_KEY:
            # A LibreTranslate server may run without keys: a desk whose keyring is refused
            # still translates through it, keyless.
            try:
                return self.keys.get(engine)
            except KeyringUnavailable:
                return ""
        return self.keys.get(engine)

    def key_stored(self, engine: str) -> bool:
        """Whether this desk's keyring holds a key for ``engine`` (KeyringUnavailable if no
        usable keyring)."""
        return self.keys.stored(engine)

    def engine_name(self) -> str | None:
        """The engine's display name in the interface language, for labels; None if none chosen."""
        if self._injected is not None:
            return display_name(self._injected.name)
        engine = self.config().engine
        return display_name(engine) if engine else None

    def _engine(self) -> Engine:
        if self._injected is not None:
            return self._injected
        config = self.config()
        if not config.engine:
            raise UserError(
                _("no translation engine is chosen: pick one in Settings → Translation")
            )
        key = self._key_for(config.engine)
        if config.engine in NEEDS_KEY and not key:
            raise UserError(
                _("no key for {engine} on this desk: enter it in Settings → Translation, or set "
                  "OZONDESK_TRANSLATE_KEY").format(engine=display_name(config.engine))
            )
        with self._lock:
            if self._built is not None and self._built[0] == config.with_key(key):
                return self._built[1]
            self._drop_built()
            engine = build_engine(config, key, **self._engine_options)
            self._built = (config.with_key(key), engine)
            return engine

    def _drop_built(self) -> None:
        if self._built is not None:
            self._built[1].close()
            self._built = None

    def close(self) -> None:
        with self._lock:
            self._drop_built()

    # -- translating ---------------------------------------------------------------------------
    def protected(self, text: str, to: Lang) -> Protected:
        """``text`` as it would go to the engine: personal data, placeholders, deadlines and
        glossary terms replaced by tokens."""
        pairs = [(e.ru, e.zh) if to == "zh" else (e.zh, e.ru) for e in self.glossary()]
        return protect(text, pairs)

    def preview(self, text: str, to: Lang) -> str:
        """Exactly what would be sent, readable (tokens as ``[phone 2]``): for Settings."""
        return plain_preview(self.protected(text, to))

    def translate(self, text: str, to: Lang, *, source: Lang | None = None) -> Translation:
        """``text`` in ``to`` ("ru" or "zh"). Blocking: run it on a worker thread."""
        if to not in ("ru", "zh"):
            raise UserError(_("translate to zh or ru, not {lang!r}").format(lang=to))
        source = source or _other(to)
        if source == to:
            raise UserError(_("the text is already in {lang}").format(lang=to))
        if len(text) > MAX_TEXT:
            raise UserError(
                _("the text has {n} characters; translate at most {limit} at a time").format(
                    n=len(text), limit=MAX_TEXT)
            )
        engine = self._engine()
        if not text.strip():
            return Translation(text, engine.name, False, ())
        guarded = self.protected(text, to)
        key = hashlib.sha256(
            "\x1f".join((engine.name, source, to, guarded.text)).encode("utf-8")
        ).hexdigest()
        markup = None
        if self.db is not None:
            with self.db.begin() as session:
                markup = repo.cached(session, key)
        cached = markup is not None
        if markup is None:
            markup = self._ask(engine, guarded.text, to, source)
            now = self._clock()
            if self.db is not None:
                with self.db.begin() as session:
                    repo.remember(session, key, engine.name, to, markup, now)
                    repo.count(session, to_zone(now).date(), engine.name, len(guarded.text))
        restored = restore(markup, guarded)
        lost = tuple(guarded.kinds[i - 1] for i in restored.lost)
        if lost:
            log.info("%s dropped %d protected part(s); appended", engine.name, len(lost))
        return Translation(restored.text, engine.name, cached, guarded.masked, lost)

    @staticmethod
    def _ask(engine: Engine, markup: str, to: Lang, source: Lang) -> str:
        pieces = split_markup(markup, engine.max_chars)
        cores: list[str] = []
        tails: list[str] = []
        for piece in pieces:
            m = re.fullmatch(r"(.*?)((?:\s|<br/>)*)", piece, re.S)
            assert m is not None
            cores.append(m.group(1))
            tails.append(m.group(2))
        wanted = [i for i, core in enumerate(cores) if core.strip()]
        answers = engine.translate([cores[i] for i in wanted], to, source) if wanted else []
        out = list(cores)
        for i, answer in zip(wanted, answers, strict=True):
            out[i] = answer
        return "".join(core + tail for core, tail in zip(out, tails, strict=True))

    # -- glossary ------------------------------------------------------------------------------
    def glossary(self) -> list[GlossaryEntry]:
        if self.db is None:
            return []
        with self.db.read() as session:
            return repo.glossary(session)

    def _lead(self, session: Any, agent_id: int | None) -> int:
        who = agent_id if agent_id is not None else self.agent_id
        agent = session.get(Agent, who) if who is not None else None
        if agent is None or not agent.active:
            raise roles.PermissionDenied(
                _("only a team lead can change the translation glossary")
            )
        roles.require(agent.role, "glossary.edit")
        return int(agent.id)

    def set_glossary_entry(self, ru: str, zh: str, *, agent_id: int | None = None) -> None:
        """Add or change a term (leads only; audited). ``ru`` is the key."""
        ru, zh = " ".join(ru.split()), " ".join(zh.split())
        if not ru or not zh:
            raise UserError(_("a glossary entry needs both the Russian and the Chinese term"))
        if len(ru) > MAX_TERM or len(zh) > MAX_TERM:
            raise UserError(
                _("a glossary term has at most {limit} characters").format(limit=MAX_TERM)
            )
        now = self._clock()
        with self._writable().begin() as session:
            who = self._lead(session, agent_id)
            repo.set_entry(session, ru, zh, now, who)
            audit.write(session, now, who, "glossary.set", ru, zh=zh)

    def delete_glossary_entry(self, ru: str, *, agent_id: int | None = None) -> None:
        ru = " ".join(ru.split())
        now = self._clock()
        with self._writable().begin() as session:
            who = self._lead(session, agent_id)
            if repo.delete_entry(session, ru):
                audit.write(session, now, who, "glossary.delete", ru)

    def _writable(self) -> Database:
        if self.db is None:
            raise UserError(_("the glossary is kept in the desk's database: open one first"))
        return self.db

    # -- usage ---------------------------------------------------------------------------------
    def usage(self, days: int = 30) -> list[UsageRow]:
        """Characters sent per Moscow day and engine over the last ``days`` days, newest first
        (cache hits send nothing and count nothing)."""
        since = to_zone(self._clock()).date() - timedelta(days=max(days, 1) - 1)
        if self.db is None:
            return []
        with self.db.read() as session:
            return repo.usage(session, since)
