"""Replies out through X's API with the official SDK (`xdk`, pointed at X_API_BASE_URL): a reply post to the mention
it answers (POST /2/tweets with reply.in_reply_to_tweet_id) or a direct message (POST
/2/dm_conversations/with/:participant_id/messages). Every answer's x-rate-limit-* headers go to channels.limits; a 429
pauses the account until x-rate-limit-reset (RateLimited); other 4xx answers are final, in plain words."""

import functools
import logging
from datetime import UTC, datetime
from typing import Any

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from xdk import Client
from xdk.schemas import CreateDirectMessagesByParticipantIdRequest, CreatePostsReply, CreatePostsRequest

from civicdesk.channels import limits
from civicdesk.channels.protocol import PermanentSendError, RateLimited

log = logging.getLogger(__name__)
DEFAULT_RETRY_SECONDS = 60.0  # a 429 without x-rate-limit-reset


def client(access_token: str) -> tuple[Client, list[requests.Response]]:
    """The SDK's client with the account's user token, and the list each HTTP answer is appended to (the SDK
    returns only the parsed body; the rate-limit headers come from here). Every call has a timeout."""
    found = Client(base_url=settings.X_API_BASE_URL.rstrip("/"), access_token=access_token)
    seen: list[requests.Response] = []
    found.session.hooks["response"].append(lambda response, *args, **kwargs: seen.append(response))
    found.session.request = functools.partial(  # type: ignore[method-assign]
        found.session.request, timeout=settings.X_TIMEOUT_SECONDS)
    return found, seen


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def note_headers(account_id: int | None, response: requests.Response | None) -> datetime | None:
    """x-rate-limit-limit, -remaining and -reset (epoch seconds) to the account's limits; returns the reset time."""
    if response is None:
        return None
    headers = response.headers
    reset = _int(headers.get("x-rate-limit-reset"))
    reset_at = datetime.fromtimestamp(reset, tz=UTC) if reset is not None else None
    limit, remaining = _int(headers.get("x-rate-limit-limit")), _int(headers.get("x-rate-limit-remaining"))
    if account_id is not None and (limit is not None or remaining is not None or reset_at is not None):
        limits.note_rate_limit(account_id, limit=limit, remaining=remaining, reset_at=reset_at,
                               window="per 15 min")
    return reset_at


def _detail(response: requests.Response) -> str:
    """X's own words for a refusal: the problem's detail or title, or the first error's message."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    return str(body.get("detail") or body.get("title") or first.get("message") or first.get("detail") or "")[:300]


def refusal(response: requests.Response) -> str:
    """A sentence for the case timeline about a final 4xx answer."""
    status, detail = response.status_code, _detail(response)
    if status == 401:
        return gettext("X refused the account's access token: an administrator must connect the X account again.")
    if status == 403 and detail:
        return gettext("X refused the reply: %(detail)s (HTTP 403).") % {"detail": detail}
    if status == 403:
        return gettext("X refused the reply: X allows replies only to posts that mention or quote the agency's "
                       "account, and direct messages only to people who accept them (HTTP 403).")
    if detail:
        return gettext("X refused the message: %(detail)s (HTTP %(status)s).") % {"detail": detail, "status": status}
    return gettext("X refused the message (HTTP %(status)s).") % {"status": status}


def call(account_id: int | None, seen: list[requests.Response], request: Any) -> Any:
    """Run one SDK call; 429 -> RateLimited, other 4xx -> PermanentSendError, 5xx and network errors raised."""
    try:
        result = request()
    except requests.HTTPError as exc:
        response = exc.response if exc.response is not None else (seen[-1] if seen else None)
        reset_at = note_headers(account_id, response)
        if response is None:
            raise
        if response.status_code == 429:
            wait = (reset_at - timezone.now()).total_seconds() if reset_at else DEFAULT_RETRY_SECONDS
            raise RateLimited(max(1.0, wait), gettext("X asked us to slow down (HTTP 429).")) from None
        if 400 <= response.status_code < 500:
            raise PermanentSendError(refusal(response)) from None
        raise
    note_headers(account_id, seen[-1] if seen else None)
    return result


def reply_post(account_id: int | None, access_token: str, text: str, in_reply_to: str) -> str:
    """A public reply to post `in_reply_to`; returns the new post's id."""
    api, seen = client(access_token)
    body = CreatePostsRequest(text=text, reply=CreatePostsReply(in_reply_to_tweet_id=in_reply_to))
    answer = call(account_id, seen, lambda: api.posts.create(body))
    return str(answer.data.id) if answer is not None and answer.data is not None else ""


def direct_message(account_id: int | None, access_token: str, text: str, participant_id: str) -> str:
    """A direct message to the resident (their X user id); returns the DM event's id."""
    api, seen = client(access_token)
    body = CreateDirectMessagesByParticipantIdRequest(text=text)
    answer = call(account_id, seen, lambda: api.direct_messages.create_by_participant_id(participant_id, body))
    return str(answer.data.dm_event_id) if answer is not None and answer.data is not None else ""
