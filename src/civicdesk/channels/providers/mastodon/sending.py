"""Replies on Mastodon: POST /api/v1/statuses in the thread answered, with its visibility and an Idempotency-Key.

A reply answers the resident's latest status in the conversation (`in_reply_to_id`), mentions them (a direct
status reaches only the accounts it mentions), and is never more public than what it answers or than the agent
chose: a DM or a followers-only post is answered as a DM; a public (or unlisted) post is answered as it was only by
a reply the agent made public, and privately (a direct reply in the thread) otherwise, acknowledgements included.
The Idempotency-Key is derived from our message, so a retried send never posts twice
(Mastodon keeps the key for an hour and answers a repeat with the status already made).
"""

import hashlib
import re
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from civicdesk.channels.events import Visibility
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError
from civicdesk.channels.providers.mastodon import client

ACCT = re.compile(r"^@?[\w.-]+(?:@[\w.-]+)?$")


def idempotency_key(message: OutboundMessage) -> str:
    """Stable for one of our messages (its reference), unique to this installation."""
    seed = f"{settings.SITE_URL}|{message.reference or message.text}"
    return "civicdesk-" + hashlib.sha256(seed.encode()).hexdigest()[:40]


def reply_visibility(answered: str, ours: str) -> str:
    """What our status's visibility is: "direct" unless both the post answered and our reply are public."""
    if ours != Visibility.PUBLIC or answered not in ("public", "unlisted"):
        return "direct"
    return answered


def with_mention(text: str, acct: str) -> str:
    mention = "@" + acct.lstrip("@")
    if text.lstrip().lower().startswith(mention.lower()):
        return text
    return f"{mention} {text}"


def _status_code(exc: MastodonAPIError) -> int:
    for arg in exc.args[1:2]:
        if isinstance(arg, int):
            return arg
    return 0


def _answered(api: Mastodon, config: Any, status_id: str) -> Any:
    try:
        return api.status(status_id)
    except MastodonNotFoundError as exc:
        raise PermanentSendError(gettext("The post this reply answers was deleted or is no longer visible to our "
                                         "account, so the reply was not posted.")) from exc
    finally:
        client.note_api(getattr(config, "id", None), api)


def _acct_of(api: Mastodon, config: Any, to: str) -> str:
    """The handle to mention for a resident picked without a thread: an acct as is, an account uri looked up."""
    value = to.strip().lstrip("@")
    if ACCT.match(value):
        return value
    try:
        found = api.search_v2(value, resolve=True, result_type="accounts")
    finally:
        client.note_api(getattr(config, "id", None), api)
    accounts = list(getattr(found, "accounts", None) or (found or {}).get("accounts") or [])
    if not accounts:
        raise PermanentSendError(gettext("The resident's Mastodon account could not be found, so the message was "
                                         "not sent."))
    return str(accounts[0]["acct"])


def send(message: OutboundMessage, config: Any) -> str:
    if config is None:
        raise PermanentSendError(gettext("No Mastodon account is connected for this conversation, so the reply "
                                         "cannot be posted."))
    if not message.text.strip():
        raise PermanentSendError(gettext("An empty reply cannot be posted."))
    api = client.api(config)
    try:
        if message.in_reply_to:
            answered = _answered(api, config, message.in_reply_to)
            acct, visibility = str(answered["account"]["acct"]), str(answered["visibility"] or "public")
        else:
            acct, visibility = _acct_of(api, config, message.to), "direct"
        posted = api.status_post(with_mention(message.text, acct), in_reply_to_id=message.in_reply_to or None,
                                 visibility=reply_visibility(visibility, message.visibility),
                                 idempotency_key=idempotency_key(message))
    except MastodonRatelimitError as exc:
        client.note_api(getattr(config, "id", None), api)
        raise client.rate_limited(client.reset_time(api.ratelimit_reset)) from exc
    except MastodonUnauthorizedError as exc:
        raise PermanentSendError(gettext("Mastodon refused our account's access token: connect the account again "
                                         "with a new token.")) from exc
    except MastodonServerError:
        raise  # the instance is down or overloaded: retried with backoff
    except MastodonAPIError as exc:
        code = _status_code(exc)
        if 400 <= code < 500 and code != 429:
            raise PermanentSendError(gettext("Mastodon refused the reply (HTTP %(status)s): %(error)s")
                                     % {"status": code, "error": str(exc.args[-1])[:200]}) from exc
        raise
    client.note_api(getattr(config, "id", None), api)
    return str(posted["id"])


def post(config: Any, text: str, reference: str = "") -> str:
    """A public status of our own (a crisis broadcast), not an answer to anyone; returns its id. The idempotency
    key (from `reference`) makes a retried call one status."""
    if not text.strip():
        raise PermanentSendError(gettext("An empty post cannot be published."))
    api = client.api(config)
    seed = f"{settings.SITE_URL}|post|{reference or text}"
    try:
        posted = api.status_post(text, visibility="public",
                                 idempotency_key="civicdesk-" + hashlib.sha256(seed.encode()).hexdigest()[:40])
    except MastodonRatelimitError as exc:
        client.note_api(getattr(config, "id", None), api)
        raise client.rate_limited(client.reset_time(api.ratelimit_reset)) from exc
    except MastodonUnauthorizedError as exc:
        raise PermanentSendError(gettext("Mastodon refused our account's access token: connect the account again "
                                         "with a new token.")) from exc
    client.note_api(getattr(config, "id", None), api)
    return str(posted["id"])
