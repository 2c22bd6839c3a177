"""A small Graph API client over plain HTTP (urllib): the page's token in the Authorization header, appsecret_proof,
JSON in and out, usage headers noted on the account, and errors raised as GraphError."""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from civicdesk.channels import limits
from civicdesk.channels.providers.meta.errors import GraphError, from_response, read_usage

log = logging.getLogger(__name__)


@dataclass
class GraphAnswer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def appsecret_proof(app_secret: str, token: str) -> str:
    """What Meta asks with every call of an app that requires it: hex HMAC-SHA256 of the token with the app secret."""
    return hmac.new(app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def base_url() -> str:
    return str(settings.META_GRAPH_URL).rstrip("/")


def post(path: str, payload: dict[str, Any], *, token: str, app_secret: str = "", account_id: int | None = None,
         timeout: float | None = None) -> GraphAnswer:
    """POST {META_GRAPH_URL}/{path} with a JSON body; raises GraphError (or OSError for the network)."""
    url = f"{base_url()}/{quote(path.strip('/'), safe='/')}"
    if app_secret:
        url += "?appsecret_proof=" + appsecret_proof(app_secret, token)
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout or settings.META_TIMEOUT_SECONDS) as response:
            status, raw, headers = response.status, response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as exc:
        headers = dict(exc.headers.items()) if exc.headers else {}
        note_usage(account_id, headers)
        raise from_response(exc.code, exc.read() or b"", headers) from None
    note_usage(account_id, headers)
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        raise GraphError(status, message="Graph answered with something that is not JSON.") from None
    return GraphAnswer(status, body if isinstance(body, dict) else {}, headers)


def note_usage(account_id: int | None, headers: dict[str, str]) -> None:
    """Meta's usage headers on the account's limits: percent used of its allowance, paused when Meta says so."""
    if account_id is None:
        return
    usage = read_usage(headers)
    if usage.percent is None:
        return
    used = max(0, min(100, round(usage.percent)))
    reset_at = usage.reset_at(timezone.now())
    limits.note_rate_limit(account_id, limit=100, remaining=0 if reset_at else 100 - used, reset_at=reset_at,
                           window="Meta counts in percent of its hourly allowance, not in calls")
