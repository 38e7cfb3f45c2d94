"""The engine a team chose, built from its settings and key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.translation.engine import ENGINE_NAMES, Engine, check_url

NEEDS_KEY = frozenset({"yandex", "deepl"})  # a LibreTranslate server may run without keys


@dataclass(frozen=True)
class EngineConfig:
    engine: str  # "" (none), "yandex", "libretranslate" or "deepl"
    url: str = ""
    folder_id: str = ""
    key_hash: int = 0  # tells a changed key apart without keeping it here

    def checked(self) -> EngineConfig:
        if self.engine and self.engine not in ENGINE_NAMES:
            raise UserError(
                _("unknown translation engine {engine!r}; choose yandex, libretranslate or "
                  "deepl").format(engine=self.engine)
            )
        url = check_url(self.url) if self.url else ""
        if self.engine == "libretranslate" and not url:
            raise UserError(
                _("LibreTranslate needs the address of its server, e.g. http://127.0.0.1:5000")
            )
        return replace(self, url=url)

    def with_key(self, key: str) -> EngineConfig:
        return replace(self, key_hash=hash(key))


def build_engine(config: EngineConfig, key: str, **options: Any) -> Engine:
    """``options``: passed to the engine (a transport or pause function in tests)."""
    config = config.checked()
    if config.engine == "libretranslate":
        from ozondesk.translation.libretranslate import LibreTranslate

        return LibreTranslate(config.url, key, **options)
    if config.engine == "yandex":
        from ozondesk.translation.yandex import YandexTranslate

        return YandexTranslate(key, config.folder_id, config.url, **options)
    if config.engine == "deepl":
        from ozondesk.translation.deepl import DeepL

        return DeepL(key, config.url, **options)
    raise UserError(_("no translation engine is chosen: pick one in Settings → Translation"))
