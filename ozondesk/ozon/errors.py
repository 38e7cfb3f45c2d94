"""What can go wrong talking to the Seller API, each with a sentence saying what to do.

``transient`` errors are retried by the client (and by the outbox); the others need a
person: a new key, a subscription, a software update.
"""

from __future__ import annotations

from datetime import datetime

from ozondesk.i18n import _


class OzonError(Exception):
    """A failed call. ``message`` is the platform's text, ``hint`` what the agent can do."""

    transient = False

    def __init__(
        self, message: str, *, status: int | None = None, code: int | None = None, path: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.path = path

    @property
    def hint(self) -> str:
        return _("try again later; if it keeps failing, check the Ozon status page")

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{where}{self.message}{status}"


class AuthError(OzonError):
    """Wrong, deactivated or IP-restricted key; Ozon answers a wrong key with HTTP 404 and code 5."""

    @property
    def hint(self) -> str:
        return _(
            "check the shop's Client-Id and API key in Settings, or create a new key in the seller cabinet"
        )


class PermissionDenied(OzonError):
    """The key lacks the role for the method, or the offer is not signed."""

    @property
    def hint(self) -> str:
        return _("give the API key the role for chats and orders in the seller cabinet")


class SubscriptionRequired(OzonError):
    @property
    def hint(self) -> str:
        return _("subscription required: buyer chats need Premium Plus or Premium Pro")


class NotInPlan(SubscriptionRequired):
    """The shop's plan was found not to include ``path`` (HTTP 403, code 7) less than a day
    ago: the call is not made again until the daily re-check, so a sync skips it quietly."""

    def __init__(self, message: str, *, path: str, until: datetime, fresh: bool) -> None:
        super().__init__(message, status=403, code=7, path=path)
        self.until = until
        # True when Ozon refused just now; False when known from before and not asked again.
        self.fresh = fresh


class ObsoleteMethod(OzonError):
    """HTTP 410 or «Obsolete method cannot be used»; a plain-text ``404 page not found`` (a path
    the API does not know at all) is the same to us: this version calls a method that is gone."""

    @property
    def hint(self) -> str:
        return _("Ozon switched this method off: update OzonDesk")


class BadRequest(OzonError):
    @property
    def hint(self) -> str:
        return _("Ozon refused the request; see the message for the field it names")


class NotFound(OzonError):
    @property
    def hint(self) -> str:
        return _("Ozon does not know this object; it may have been removed")


class TransientError(OzonError):
    """Worth retrying: rate limit, «Circle is open», 5xx, timeouts, dropped connections."""

    transient = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class RateLimited(TransientError):
    @property
    def hint(self) -> str:
        return _("Ozon is limiting requests; OzonDesk slows down and retries by itself")


class CircuitOpen(RateLimited):
    """«Circle is open»: Ozon has blocked this method for several minutes after too many calls.

    Retrying within seconds only prolongs the block, so the client does not retry: it refuses
    further calls of ``path`` until ``until`` (a monotonic clock reading) and says so once.
    """

    def __init__(self, message: str, *, until: float, minutes: int, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.until = until
        self.minutes = minutes

    @property
    def hint(self) -> str:
        return _(
            "Ozon blocked this method for a few minutes after too many requests (circle is open); "
            "OzonDesk calls it again in {minutes} min"
        ).format(minutes=self.minutes)


class ConnectionFailed(TransientError):
    """The request may or may not have reached Ozon (timeout, connection dropped mid-response)."""

    def __init__(self, message: str, *, sent: bool, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.sent = sent

    @property
    def hint(self) -> str:
        return _("check the internet connection; queued replies go out when it returns")


class MalformedResponse(TransientError):
    """The body was not the JSON object the method documents."""


class RecordError(Exception):
    """One record of a response could not be read; the rest of the page still counts."""

    def __init__(self, kind: str, key: str, problem: str) -> None:
        super().__init__(f"{kind} {key}: {problem}")
        self.kind = kind
        self.key = key
        self.problem = problem

    @property
    def hint(self) -> str:
        return _("this record was skipped; the others were synced. Report it if it persists")
