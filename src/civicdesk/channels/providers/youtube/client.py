"""The YouTube Data API v3 through google-api-python-client: one service object per call site, built from the
discovery document bundled with the client (no network), pointed at YOUTUBE_API_BASE_URL when set (a local server
in tests), authorised by the account's OAuth refresh token or, for reading only, its API key."""

import json
import threading
from collections.abc import Mapping
from functools import cache
from typing import Any

import httplib2
from django.conf import settings
from django.utils.translation import gettext
from google.auth.exceptions import RefreshError
from google.oauth2.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError

from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.providers.youtube import quota

SCOPES = ("https://www.googleapis.com/auth/youtube.force-ssl",)  # comments.insert needs it; it reads too
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
OAUTH_KEYS = ("client_id", "client_secret", "refresh_token")
_tokens: dict[tuple[int, str], Credentials] = {}  # a refreshed access token is reused until it expires
_tokens_lock = threading.Lock()


class NotAuthorised(Exception):
    """The account has no credentials that allow this call (an API key cannot post replies)."""


def credentials_of(config: Any) -> Mapping[str, str]:
    """An AccountConfig's credentials (or a plain {"credentials": {...}} dict from a test)."""
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def has_oauth(config: Any) -> bool:
    found = credentials_of(config)
    return all(found.get(key) for key in OAUTH_KEYS)


@cache
def _discovery() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(get_static_doc("youtube", "v3") or "{}")
    return document


def _oauth(config: Any) -> Credentials:
    found = credentials_of(config)
    key = (int(getattr(config, "id", 0) or 0), found["refresh_token"])
    with _tokens_lock:
        held = _tokens.get(key)
        if held is None:
            held = Credentials(token=None, refresh_token=found["refresh_token"], client_id=found["client_id"],
                               client_secret=found["client_secret"],
                               token_uri=settings.YOUTUBE_TOKEN_URI or GOOGLE_TOKEN_URI, scopes=list(SCOPES))
            _tokens[key] = held
    return held


def forget_tokens() -> None:
    """Drop every cached access token (tests; after an account's credentials change)."""
    with _tokens_lock:
        _tokens.clear()


def service(config: Any, *, write: bool = False) -> Any:
    """The API's service object for the account: OAuth when it has a refresh token, else its API key (reading
    only; `write` refuses without OAuth)."""
    found = credentials_of(config)
    http = httplib2.Http(timeout=settings.YOUTUBE_TIMEOUT_SECONDS)
    options: dict[str, str] = {}
    if settings.YOUTUBE_API_BASE_URL:
        options["api_endpoint"] = settings.YOUTUBE_API_BASE_URL.rstrip("/") + "/"
    if has_oauth(config):
        return build_from_document(_discovery(), http=AuthorizedHttp(_oauth(config), http=http),
                                   client_options=options or None)
    if write:
        raise NotAuthorised(gettext("Replies on YouTube need the channel's OAuth client and refresh token; the "
                                    "account has only an API key, which can read comments but not answer them."))
    if not found.get("api_key"):
        raise NotAuthorised(gettext("The YouTube account has neither an OAuth refresh token nor an API key."))
    return build_from_document(_discovery(), developerKey=found["api_key"], http=http,
                               client_options=options or None)


def reasons(error: HttpError) -> list[str]:
    """The `reason` of each of Google's error details ("quotaExceeded", "commentNotFound", ...)."""
    try:
        body = json.loads(error.content or b"{}")
    except (TypeError, ValueError):
        return []
    details = body.get("error", {}) if isinstance(body, dict) else {}
    items = details.get("errors", []) if isinstance(details, dict) else []
    found = [str(item.get("reason", "")) for item in items if isinstance(item, dict)]
    if isinstance(details, dict) and isinstance(details.get("status"), str):
        found.append(details["status"])
    return [reason for reason in found if reason]


def status_of(error: HttpError) -> int:
    return int(getattr(error.resp, "status", 0) or 0)


def execute(request: Any, account_id: int, method: str) -> dict[str, Any]:
    """Run one API request, counting its units on the account (failed requests cost at least one unit too).

    quotaExceeded: the account's quota is used up until the next Pacific midnight (RateLimited until then);
    rateLimitExceeded or a 429: RateLimited for a minute. Other HttpErrors are raised for the caller to judge."""
    try:
        response: dict[str, Any] = request.execute(num_retries=0)
    except HttpError as exc:
        quota.spend(account_id, method, ok=False)
        found = reasons(exc)
        if "quotaExceeded" in found or "dailyLimitExceeded" in found:
            quota.exhaust(account_id)
            raise RateLimited(quota.seconds_to_reset(), gettext(
                "YouTube's daily quota is used up; the account waits for midnight Pacific Time.")) from exc
        if status_of(exc) == 429 or "rateLimitExceeded" in found or "userRateLimitExceeded" in found:
            raise RateLimited(60, gettext("YouTube asked us to slow down.")) from exc
        raise
    except RefreshError as exc:
        raise PermanentSendError(gettext("Google refused the account's OAuth refresh token: connect the channel "
                                         "again (`civicdesk channels add youtube`).")) from exc
    quota.spend(account_id, method)
    return response
