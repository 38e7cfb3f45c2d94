"""Which keyring may hold a secret, and what to tell a user whose keyring may not.

OzonDesk keeps two kinds of secret, shops' Seller API keys and PostgreSQL passwords, and only in
the operating system's own store: Secret Service (GNOME Keyring, KWallet, KeePassXC) or KWallet
on Linux, the Keychain on macOS, Credential Manager on Windows. Any other backend ``keyring`` may
pick is refused: ``fail`` and ``null`` store nothing, and keyrings.alt's backends put the secret
in a file in the home folder (plain or base64 text, or encrypted with a password typed on a
terminal), the registry or a web service, where other programs, backups and synced folders can
read it. There is no fallback to a file: without a system keyring the user is told what to
install or unlock on this operating system, and scripts can use environment variables instead.

This module sits beside ``errors`` rather than in ``services`` because ``store`` (the database
password) needs it too and may not import services. It has no Qt.

Test doubles opt in with the class attribute ``ozondesk_test_double = True`` (see
``tests/support.py`` and ``tests/keyring_file.py``); no backend a user can install has it, so a
desk cannot pick one by accident.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import Literal

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend

from ozondesk.errors import UserError
from ozondesk.i18n import _

log = logging.getLogger("ozondesk.keyring")

TEST_DOUBLE_MARK = "ozondesk_test_double"
# The operating systems' own stores, by the backend's class (exact class: a subclass may store
# elsewhere). keyring's own backends only; keyrings.alt ships none of these.
OS_BACKENDS = frozenset({
    "keyring.backends.SecretService.Keyring",
    "keyring.backends.libsecret.Keyring",
    "keyring.backends.kwallet.DBusKeyring",
    "keyring.backends.kwallet.DBusKeyringKWallet4",
    "keyring.backends.macOS.Keyring",
    "keyring.backends.Windows.WinVaultKeyring",
})
# Backends that keep nothing at all: the message says "no keyring", not "refused".
_EMPTY_BACKENDS = frozenset({"keyring.backends.fail.Keyring", "keyring.backends.null.Keyring"})

Purpose = Literal["shop", "database", "translation"]


class KeyringUnavailable(UserError):
    """No keyring fit for a secret; the message says what to install or unlock on this OS."""


def backend_name(backend: KeyringBackend | type[KeyringBackend]) -> str:
    cls = backend if isinstance(backend, type) else type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_test_double(backend: KeyringBackend) -> bool:
    return getattr(type(backend), TEST_DOUBLE_MARK, False) is True


def is_secure(backend: KeyringBackend) -> bool:
    """Whether ``backend`` keeps secrets in the operating system's store (or is a marked test double)."""
    return is_test_double(backend) or backend_name(backend) in OS_BACKENDS


def _scripts_hint(purpose: Purpose) -> str:
    if purpose == "database":
        return _("or give scripts the password in PGPASSWORD")
    if purpose == "translation":
        return _("or give scripts the translation key in OZONDESK_TRANSLATE_KEY")
    return _("or give scripts the key in OZON_CLIENT_ID and OZON_API_KEY")


def advice(
    purpose: Purpose = "shop",
    platform: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """What to install or start on this operating system so that a system keyring is there."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform == "darwin":
        return _("unlock the login keychain (Keychain Access, or security unlock-keychain) and allow OzonDesk to use it")
    if platform.startswith("win"):
        return _("OzonDesk keeps secrets in Windows Credential Manager: run it in a signed-in Windows session, not as a service")
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return _("install and unlock a Secret Service keyring, GNOME Keyring (apt-get install gnome-keyring) or KWallet, then sign out and in again")
    return _("on a machine without a desktop, install GNOME Keyring (apt-get install gnome-keyring) and run OzonDesk under dbus-run-session after gnome-keyring-daemon --unlock, {scripts}").format(
        scripts=_scripts_hint(purpose)
    )


def unlock_advice(platform: str | None = None) -> str:
    platform = platform or sys.platform
    if platform == "darwin":
        return _("unlock the login keychain (Keychain Access, or security unlock-keychain) and try again")
    if platform.startswith("win"):
        return _("sign in to Windows again and try again")
    return _("unlock the login keyring (GNOME Passwords and Keys, or KWallet) and try again; without a desktop, pipe its password into gnome-keyring-daemon --unlock")


def _chosen_by() -> str:
    """Where the user's keyring configuration forces a backend, if it does (said in the message)."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return _(" (chosen by PYTHON_KEYRING_BACKEND: unset it)")
    try:
        config = keyring.core._config_path()  # noqa: SLF001 - keyring has no public accessor
    except Exception:  # noqa: BLE001 - only decorates the message
        return ""
    if config.exists():
        return _(" (chosen in {path}: remove that setting)").format(path=config)
    return ""


def refusal(candidates: list[KeyringBackend], purpose: Purpose = "shop") -> KeyringUnavailable:
    insecure = [b for b in candidates if backend_name(b) not in _EMPTY_BACKENDS]
    if not insecure:
        return KeyringUnavailable(
            _("no system keyring is available: {advice}").format(advice=advice(purpose))
        )
    return KeyringUnavailable(
        _("the keyring backend {backend} is not the system's keyring (it would keep secrets in a file or nowhere), so OzonDesk does not use it{chosen}: {advice}").format(
            backend=backend_name(insecure[0]), chosen=_chosen_by(), advice=advice(purpose)
        )
    )


def secure_backend(
    backend: KeyringBackend | None = None, purpose: Purpose = "shop"
) -> KeyringBackend:
    """The backend to keep a secret in, or ``KeyringUnavailable`` saying what to do.

    ``backend`` defaults to the one ``keyring`` chose. A chain (several backends installed) is
    narrowed to its first secure member, so a plaintext backend later in the chain is never
    written to nor read from.
    """
    if backend is None:
        try:
            backend = keyring.get_keyring()
        except Exception as exc:  # noqa: BLE001 - a backend forced by configuration failed to load
            log.info("the configured keyring backend cannot be loaded: %s", type(exc).__name__)
            raise KeyringUnavailable(
                _("the configured keyring backend cannot be used ({reason}){chosen}: {advice}").format(
                    reason=type(exc).__name__, chosen=_chosen_by(), advice=advice(purpose)
                )
            ) from None
    if isinstance(backend, ChainerBackend):
        candidates = list(getattr(backend, "backends", []))
    else:
        candidates = [backend]
    for candidate in candidates:
        if is_secure(candidate):
            return candidate
    raise refusal(candidates, purpose)


def failure(exc: keyring.errors.KeyringError, purpose: Purpose = "shop") -> KeyringUnavailable:
    """A secure backend failed while in use: locked, its daemon gone, access denied."""
    if isinstance(exc, keyring.errors.KeyringLocked):
        return KeyringUnavailable(
            _("the system keyring is locked: {advice}").format(advice=unlock_advice())
        )
    if isinstance(exc, keyring.errors.NoKeyringError):
        return refusal([], purpose)
    return KeyringUnavailable(
        _("the system keyring did not answer ({reason}): {advice}").format(
            reason=type(exc).__name__, advice=advice(purpose)
        )
    )
