"""Logged-in `atproto` clients, one per account and process: a session is made once and refreshed by the SDK.

A PDS allows 30 createSession calls per 5 minutes and 300 a day per account, so polling every 30 s must not log in
each time. The client (with its session) is kept per account id and a fingerprint of its handle, service and app
password; a changed password logs in again, and so does a session the PDS refused (forget()). Nothing here writes
to the database, and no credential or token reaches a log.
"""

import hashlib
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from atproto import Client
from atproto_client.exceptions import RateLimitExceededError, RequestErrorBase
from atproto_client.request import Request, Response
from django.conf import settings
from django.utils.translation import gettext

from civicdesk.channels import limits
from civicdesk.channels.protocol import PermanentSendError, RateLimited

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"  # the atproto-proxy header of every chat.bsky.* call
_lock = threading.Lock()
_clients: dict[tuple[int, str], Client] = {}


class NotConnected(PermanentSendError):
    """The account has no handle or app password, or the PDS refuses them: an administrator must fix the account."""


def credentials_of(config: Any) -> Mapping[str, str]:
    """An AccountConfig's credentials (or a fixture's plain {"credentials": {...}} dict)."""
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def service_url(config: Any) -> str:
    """The account's PDS (or entryway): kept with its credentials, else BLUESKY_SERVICE_URL (https://bsky.social)."""
    return str(credentials_of(config).get("service") or settings.BLUESKY_SERVICE_URL).rstrip("/")


def _fingerprint(config: Any) -> str:
    material = "\n".join([service_url(config), str(getattr(config, "address", "")),
                          str(credentials_of(config).get("app_password", ""))])
    return hashlib.sha256(material.encode()).hexdigest()


def _account_id(config: Any) -> int:
    return int(getattr(config, "id", 0) or 0)


def client_for(config: Any) -> Client:
    """A logged-in client of the account (logged in on first use, then reused and refreshed by the SDK)."""
    key = (_account_id(config), _fingerprint(config))
    with _lock:
        found = _clients.get(key)
    if found is not None:
        return found
    handle = str(getattr(config, "address", "")).lstrip("@")
    password = str(credentials_of(config).get("app_password", ""))
    if not handle or not password:
        raise NotConnected(gettext("The Bluesky account has no handle or app password: an administrator must add "
                                   "them to the channel account."))
    made = Client(base_url=service_url(config), request=Request(timeout=settings.BLUESKY_TIMEOUT_SECONDS))
    try:
        made.login(handle, password, fetch_bsky_profile=False)
    except RateLimitExceededError as exc:
        raise RateLimited(exc.retry_after or 300.0, "Bluesky's createSession is rate limited.") from None
    except RequestErrorBase as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if status in (400, 401):
            raise NotConnected(gettext("Bluesky refused the handle or app password of the account: create a new "
                                       "app password and store it on the channel account.")) from None
        raise
    with _lock:
        for stale in [k for k in _clients if k[0] == key[0]]:
            del _clients[stale]
        _clients[key] = made
    return made


def forget(config: Any) -> None:
    """Drop the account's client (its session was refused): the next call logs in again."""
    with _lock:
        for stale in [k for k in _clients if k[0] == _account_id(config)]:
            del _clients[stale]


def account_did(client: Client) -> str:
    """The DID of the logged-in account: its stable identity (the handle may change)."""
    session = getattr(client, "_session", None)
    return str(getattr(session, "did", "") or "")


def chat_client(config: Any) -> Client:
    """The account's client for chat.bsky.*: through its PDS with the atproto-proxy header for the chat service,
    or straight to BLUESKY_CHAT_URL when set (a local chat service in tests), with the same header and session."""
    proxied = client_for(config).with_bsky_chat_proxy()
    if settings.BLUESKY_CHAT_URL:
        proxied.update_base_url(settings.BLUESKY_CHAT_URL.rstrip("/"))
    return proxied


def note_limits(account_id: int, response: Response | None) -> None:
    """The PDS's RateLimit-* headers after a call, kept on the account's health (channels.limits)."""
    if response is None or not account_id:
        return
    headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
    try:
        limit, remaining = int(headers["ratelimit-limit"]), int(headers["ratelimit-remaining"])
    except (KeyError, TypeError, ValueError):
        return
    try:
        reset_at: datetime | None = datetime.fromtimestamp(int(headers["ratelimit-reset"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        reset_at = None
    limits.note_rate_limit(account_id, limit=limit, remaining=remaining, reset_at=reset_at,
                           window=str(headers.get("ratelimit-policy", ""))[:40])


def retry_after(exc: RequestErrorBase) -> float | None:
    """Seconds to wait after a 429 (RateLimit-Reset or Retry-After), or None when the error is not one."""
    if isinstance(exc, RateLimitExceededError):
        if exc.retry_after:
            return float(exc.retry_after)
        reset = exc.reset_at
        if reset is not None:
            return max(1.0, (reset - datetime.now(UTC)).total_seconds())
        return 60.0
    return None
