"""Translation engines' keys: only in this desk's OS keyring (one entry per engine), or in
``OZONDESK_TRANSLATE_KEY`` for scripts. Never in the database, the settings file or a log:
every key handled is registered with the log redactor."""

from __future__ import annotations

import os
from typing import Any

import keyring.errors
from keyring.backend import KeyringBackend

from ozondesk.keyring_check import failure, secure_backend
from ozondesk.services.credentials import register_secret

KEYRING_SERVICE = "ozondesk.translation"
ENV_KEY = "OZONDESK_TRANSLATE_KEY"


class TranslationKeys:
    def __init__(self, backend: KeyringBackend | None = None) -> None:
        # None: the backend ``keyring`` chooses, looked up and checked at each use.
        self.backend = backend

    def _keyring(self, action: str, *args: Any) -> Any:
        backend = secure_backend(self.backend, "translation")
        try:
            return getattr(backend, action)(KEYRING_SERVICE, *args)
        except keyring.errors.PasswordDeleteError:
            return None
        except keyring.errors.KeyringError as exc:
            raise failure(exc, "translation") from None

    def get(self, engine: str) -> str:
        """The engine's key: ``OZONDESK_TRANSLATE_KEY`` first (scripts), then the keyring; "" if none."""
        key = os.environ.get(ENV_KEY, "").strip() or (self._keyring("get_password", engine) or "")
        register_secret(key)
        return str(key)

    def stored(self, engine: str) -> bool:
        return bool(self._keyring("get_password", engine))

    def set(self, engine: str, key: str) -> None:
        key = key.strip()
        register_secret(key)
        self._keyring("set_password", engine, key)

    def clear(self, engine: str) -> None:
        self._keyring("delete_password", engine)
