"""Shops' Seller API credentials: the key in the OS keyring, only a reference in the database.

Several shops per desk, each keyed by its name and Client-Id. Every key this process
handles is registered with ``SecretRedactor`` so it cannot reach a log, even by accident.
Only the operating system's keyring is used (``ozondesk.keyring_check``): never a file.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from sqlalchemy import or_, select
from sqlalchemy.exc import DBAPIError

from ozondesk.errors import UserError
from ozondesk.i18n import _
from ozondesk.keyring_check import failure, secure_backend
from ozondesk.store.db import Database
from ozondesk.store.models import Shop, ShopCredentialRef
from ozondesk.store.pg_roles import is_permission_error
from ozondesk.store.repos.sync import ensure_shop

KEYRING_SERVICE = "ozondesk.ozon-seller-api"
MASK = "***"
_HEADER = re.compile(r"(?i)(api[-_ ]?key[\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)")

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str) -> None:
    if value and len(value) >= 4:
        with _secrets_lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    return _HEADER.sub(lambda m: m.group(1) + MASK, text)


class SecretRedactor(logging.Filter):
    """Masks registered keys and anything shaped like ``Api-Key: …`` in every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> SecretRedactor:
    """Add the redactor to every handler of ``logger`` (the root logger by default).

    Handler filters see records propagated from every child logger (httpx, ozondesk.*),
    which logger filters would not.
    """
    target = logger or logging.getLogger()
    redactor = SecretRedactor()
    for handler in target.handlers:
        if not any(isinstance(f, SecretRedactor) for f in handler.filters):
            handler.addFilter(redactor)
    return redactor


@dataclass(frozen=True)
class Credentials:
    shop: str
    client_id: str
    api_key: str = field(repr=False)


@dataclass(frozen=True)
class ShopRef:
    shop_id: int
    name: str
    client_id: str


def _check(client_id: str, api_key: str) -> tuple[str, str]:
    client_id, api_key = client_id.strip(), api_key.strip()
    if not client_id.isdigit() or int(client_id) <= 0:
        raise UserError(_("the Client-Id is a positive number, as shown in the seller cabinet"))
    if not api_key:
        raise UserError(_("the API key is empty: paste it from the seller cabinet"))
    from ozondesk.ozon.client import check_api_key

    return client_id, check_api_key(api_key)


def from_environment(shop: str) -> Credentials | None:
    """``OZON_CLIENT_ID`` / ``OZON_API_KEY`` for scripts; None when either is unset."""
    client_id, api_key = os.environ.get("OZON_CLIENT_ID"), os.environ.get("OZON_API_KEY")
    if not client_id or not api_key:
        return None
    client_id, api_key = _check(client_id, api_key)
    register_secret(api_key)
    return Credentials(shop, client_id, api_key)


@contextmanager
def _team_rights() -> Iterator[None]:
    """A team server's refusal (only leads add or change shops) as one line to act on."""
    try:
        yield
    except DBAPIError as exc:
        if not is_permission_error(exc):
            raise
        raise UserError(
            _("only a team lead can add or change a shop; its key is kept in this desk's keyring")
        ) from None


class CredentialStore:
    def __init__(self, db: Database, backend: KeyringBackend | None = None) -> None:
        self.db = db
        # None: the backend ``keyring`` chooses, looked up (and checked) at each use, so a
        # keyring unlocked or installed while the app runs is picked up.
        self.backend = backend

    def keyring_backend(self) -> KeyringBackend:
        """The secure backend in use, or ``KeyringUnavailable`` saying what to install or unlock."""
        return secure_backend(self.backend, "shop")

    def _keyring(self, action: str, *args: Any, service: str = KEYRING_SERVICE) -> Any:
        backend = self.keyring_backend()
        try:
            return getattr(backend, action)(service, *args)
        except keyring.errors.PasswordDeleteError:
            return None
        except keyring.errors.KeyringError as exc:
            raise failure(exc, "shop") from None

    def save(self, shop: str, client_id: str, api_key: str) -> ShopRef:
        shop = shop.strip()
        if not shop:
            raise UserError(_("give the shop a name"))
        client_id, api_key = _check(client_id, api_key)
        register_secret(api_key)
        now = datetime.now(UTC)
        # The keyring first: a reference to a key that was never stored would be worse than none.
        self._keyring("set_password", client_id, api_key)
        with _team_rights(), self.db.begin() as session:
            shop_id = ensure_shop(session, shop, client_id, now)
            ref = session.scalar(
                select(ShopCredentialRef).where(ShopCredentialRef.shop_id == shop_id)
            )
            stamp = now.replace(tzinfo=None)
            if ref is None:
                ref = ShopCredentialRef(shop_id=shop_id, created_at=stamp)
                session.add(ref)
            # A key typed again for an unchanged shop only goes to this desk's keyring: in
            # team mode an agent's desk may do that, while the reference is the leads' to change.
            if (ref.client_id, ref.keyring_service, ref.keyring_user) != (client_id, KEYRING_SERVICE, client_id):
                ref.client_id = client_id
                ref.keyring_service = KEYRING_SERVICE
                ref.keyring_user = client_id
                ref.updated_at = stamp
        return ShopRef(shop_id, shop, client_id)

    def update(self, old_name: str, name: str, client_id: str, api_key: str = "") -> ShopRef:
        """Rename a configured shop, change its Client-Id or its key; an empty key keeps the stored one.

        The keyring entry of a Client-Id that is no longer used is deleted.
        """
        name = name.strip()
        if not name:
            raise UserError(_("give the shop a name"))
        with self.db.begin() as session:
            row = session.execute(
                select(Shop.id, ShopCredentialRef.keyring_user)
                .join(ShopCredentialRef, ShopCredentialRef.shop_id == Shop.id)
                .where(Shop.name == old_name)
            ).first()
        if row is None:
            raise UserError(_("shop {shop!r} is not configured any more").format(shop=old_name))
        shop_id, old_user = row
        if not api_key.strip():
            api_key = self.load(old_name).api_key
        client_id, api_key = _check(client_id, api_key)
        register_secret(api_key)
        with self.db.begin() as session:
            clash = session.scalar(
                select(Shop.name).where(
                    Shop.id != shop_id, or_(Shop.name == name, Shop.ozon_seller_id == client_id)
                )
            )
        if clash is not None:
            raise UserError(
                _("shop {shop!r} already has this name or Client-Id").format(shop=clash)
            )
        self._keyring("set_password", client_id, api_key)
        stamp = datetime.now(UTC).replace(tzinfo=None)
        with _team_rights(), self.db.begin() as session:
            shop = session.get(Shop, shop_id)
            ref = session.scalar(
                select(ShopCredentialRef).where(ShopCredentialRef.shop_id == shop_id)
            )
            assert shop is not None and ref is not None
            shop.name, shop.ozon_seller_id = name, client_id
            ref.client_id = ref.keyring_user = client_id
            ref.keyring_service = KEYRING_SERVICE
            ref.updated_at = stamp
        if old_user != client_id:
            self._keyring("delete_password", old_user)
        return ShopRef(shop_id, name, client_id)

    def shops(self) -> list[ShopRef]:
        with self.db.begin() as session:
            rows = session.execute(
                select(Shop.id, Shop.name, ShopCredentialRef.client_id)
                .join(ShopCredentialRef, ShopCredentialRef.shop_id == Shop.id)
                .order_by(Shop.name)
            ).all()
        return [ShopRef(i, n, c) for i, n, c in rows]

    def load(self, shop: str) -> Credentials:
        with self.db.begin() as session:
            row = session.execute(
                select(
                    ShopCredentialRef.keyring_service,
                    ShopCredentialRef.keyring_user,
                    ShopCredentialRef.client_id,
                )
                .join(Shop, Shop.id == ShopCredentialRef.shop_id)
                .where(Shop.name == shop)
            ).first()
        if row is None:
            raise UserError(
                _(
                    "no credentials for shop {shop!r}: add them in Settings, or set OZON_CLIENT_ID and OZON_API_KEY"
                ).format(shop=shop)
            )
        service, user, client_id = row
        api_key = self._keyring("get_password", user, service=service)
        if not api_key:
            raise UserError(
                _(
                    "the API key of shop {shop!r} is missing from the keyring: enter it again in Settings"
                ).format(shop=shop)
            )
        register_secret(api_key)
        return Credentials(shop, client_id, api_key)

    def remove(self, shop: str) -> bool:
        self.keyring_backend()  # refused before anything changes, so no key is left orphaned
        with _team_rights(), self.db.begin() as session:
            ref = session.scalar(
                select(ShopCredentialRef)
                .join(Shop, Shop.id == ShopCredentialRef.shop_id)
                .where(Shop.name == shop)
            )
            if ref is None:
                return False
            user = ref.keyring_user
            session.delete(ref)
        self._keyring("delete_password", user)
        return True
