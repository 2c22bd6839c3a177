"""Meta's adapters: one app's webhooks for a Facebook Page (Messenger and the page's feed) or an Instagram
professional account, checked with X-Hub-Signature-256 before storing, and replies by the Graph API."""

import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext

from civicdesk.channels import signatures
from civicdesk.channels.events import InboundEvent, InboundMessage, event_digest
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError, RateLimited
from civicdesk.channels.providers.meta import graph, ids, media, parsing
from civicdesk.channels.providers.meta.errors import GraphError, plain_error
from civicdesk.channels.providers.meta.simulation import simulated_event
from civicdesk.channels.providers.meta.window import STANDARD, window_at

CHALLENGE = re.compile(r"[A-Za-z0-9_.\-]{1,200}")


@lru_cache(maxsize=8)
def _summary(raw: bytes, account_id: int | None) -> tuple[str, str] | None:
    """(provider id, content hash) of a body, parsed once for the two questions the webhook asks of it; None when
    it cannot be parsed (stored under its bytes' hash, then quarantined)."""
    try:
        events = parsing.events_of(raw, {"account_id": account_id})
    except ParseError:
        return None
    if len(events) == 1:
        return parsing.event_id(events[0]), parsing.event_hash(events[0])
    joined = "\n".join(sorted(parsing.event_id(event) for event in events))
    digest = hashlib.sha256("\n".join(parsing.event_hash(event) for event in events).encode()).hexdigest()
    return "batch:" + hashlib.sha256(joined.encode()).hexdigest(), digest


def _account_id(meta: dict[str, Any]) -> int | None:
    found = meta.get("account_id")
    return found if isinstance(found, int) else None


def credentials_of(config: Any) -> Mapping[str, str]:
    """An AccountConfig's credentials (or a contract fixture's plain {"credentials": {...}} dict)."""
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), "")
    return str(value or "").strip()


class MetaAdapter(ChannelAdapter):
    """A Facebook Page: Messenger conversations and comments on the page's posts (a ChannelAccount of provider
    "meta" whose address is the page id). The Instagram adapter below differs only in its channel and limits."""

    channel = Channel.FACEBOOK
    capabilities = Capabilities(max_length=2000, public_replies=True, reply_window=STANDARD)
    signature_header = signatures.HUB_SIGNATURE_HEADER
    hide_field = "is_hidden"  # POST /{comment-id} is_hidden=true (Instagram: hide=true)

    # --- receiving -------------------------------------------------------------------------------------------

    def challenge(self, query: Mapping[str, str], config: Any) -> str | None:
        """Meta's subscription check: hub.mode=subscribe with our verify token; the answer is hub.challenge."""
        token = credentials_of(config).get("verify_token", "")
        offered = query.get("hub.verify_token", "")
        challenge = query.get("hub.challenge", "")
        if query.get("hub.mode") != "subscribe" or not token or not CHALLENGE.fullmatch(challenge):
            return None
        return challenge if hmac.compare_digest(offered.encode(), token.encode()) else None

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: Any) -> bool:
        """sha256=<hex HMAC-SHA256 of the raw body with the app secret>; the URL is not signed."""
        return signatures.valid_hub_signature(credentials_of(config).get("app_secret", ""), body,
                                              header(headers, self.signature_header))

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        """The one event's id (a mid, a comment id and its verb); a batch: "batch:" and a hash of its events' ids,
        so a batch delivered again is one payload."""
        found = _summary(raw, _account_id(meta))
        return found[0] if found else super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """Of the events, not the bytes: entry.time changes when Meta delivers the same events again. A payload of one
        message hashes like that message inside a batch (event_digest), so delivered alone and again in a batch
        it is one message."""
        found = _summary(raw, _account_id(meta))
        if found and not found[0].startswith("batch:"):
            try:
                events = self.parse(raw, meta)
            except ParseError:
                events = []
            if len(events) == 1 and isinstance(events[0], InboundMessage):
                return event_digest(events[0])
        return found[1] if found else super().content_hash(raw, meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        return parsing.events_of(raw, meta)

    def fetch_media(self, url: str, config: Any) -> media.FetchedMedia:
        """A picture or file a resident sent by Messenger or Instagram (Meta's signed CDN address)."""
        return media.fetch_media(url, config)

    def simulate(self, config: Any, text: str, kind: str) -> Any:
        """A direct message or a comment, as Meta posts it, signed with the account's app secret."""
        return simulated_event(config, text, kind)

    # --- sending ---------------------------------------------------------------------------------------------

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """A comment reply (public) or a Send API message (private, within Meta's window), from the page."""
        if self._instagram(account):
            return InstagramAdapter().send(message, account)
        if account is None:
            raise PermanentSendError(gettext("No Facebook Page or Instagram account is connected for this "
                                             "conversation, so the reply cannot be sent."))
        text = message.text.strip()
        if not text:
            raise PermanentSendError(gettext("An empty message cannot be sent."))
        owner = str(getattr(account, "address", "") or "")
        thread = ids.thread_of(message.conversation_key)
        if thread is not None and thread.owner_id != owner:
            raise PermanentSendError(gettext("This conversation belongs to another page or Instagram account than the "
                                             "one connected, so the reply cannot be sent from it."))
        if thread is not None and thread.is_comment:
            comment_id = message.in_reply_to or thread.target
            if message.automatic:  # never an automatic public comment: a private reply to the comment instead
                return self._message(account, {"recipient": {"comment_id": comment_id},
                                               "message": {"text": text}, "messaging_type": "RESPONSE"})
            return self._call(account, self.comment_reply_path(thread.target, comment_id), {"message": text}, "id")
        recipient = thread.target if thread is not None else ids.user_of(message.to)[1]
        window = window_at(message.last_inbound_at, automatic=message.automatic)
        if not window.allowed:  # before any call to Meta: the reason goes on the case
            raise PermanentSendError(window.reason)
        body: dict[str, Any] = {"recipient": {"id": recipient}, "message": {"text": text}}
        body.update({"messaging_type": "MESSAGE_TAG", "tag": window.tag} if window.tag
                    else {"messaging_type": "RESPONSE"})
        return self._message(account, body)

    def comment_reply_path(self, top_comment_id: str, comment_id: str) -> str:
        """Facebook: a reply under the thread's top comment (Facebook threads one level deep)."""
        return f"{top_comment_id}/comments"

    def hide_comment(self, config: Any, comment_id: str, hidden: bool = True) -> None:
        """Hide (or show again) a comment on the page: only its author and their friends still see it."""
        if self._instagram(config):
            return InstagramAdapter().hide_comment(config, comment_id, hidden)
        self._call(config, comment_id, {self.hide_field: hidden}, "")

    def _instagram(self, account: Any) -> bool:
        """The provider's adapter (this class) serves both channels: an Instagram account goes to Instagram's."""
        return self.channel != Channel.INSTAGRAM and getattr(account, "channel", "") == Channel.INSTAGRAM

    def _message(self, account: Any, body: dict[str, Any]) -> str:
        return self._call(account, f"{account.address}/messages", body, "message_id")

    def _call(self, account: Any, path: str, body: dict[str, Any], id_field: str) -> str:
        credentials = credentials_of(account)
        token = credentials.get("page_token", "")
        if not token:
            raise PermanentSendError(gettext("The page has no access token: an administrator must connect it again "
                                             "(civicdesk channels add meta)."))
        try:
            answer = graph.post(path, body, token=token, app_secret=credentials.get("app_secret", ""),
                                account_id=getattr(account, "id", None))
        except GraphError as exc:
            if exc.rate_limited:
                raise RateLimited(exc.retry_after or 60.0, plain_error(exc)) from exc
            if exc.final:
                raise PermanentSendError(plain_error(exc)) from exc
            raise
        if not id_field:
            return ""
        found = str(answer.body.get(id_field) or answer.body.get("id") or "")
        if not found:
            raise GraphError(answer.status, message="Graph accepted the call but returned no id.")
        return found


class InstagramAdapter(MetaAdapter):
    """An Instagram professional account (address: its Instagram account id): direct messages and comments."""

    channel = Channel.INSTAGRAM
    capabilities = Capabilities(max_length=1000, public_replies=True, reply_window=timedelta(hours=24))
    hide_field = "hide"

    def comment_reply_path(self, top_comment_id: str, comment_id: str) -> str:
        """Instagram: POST /{ig-comment-id}/replies on the comment answered."""
        return f"{top_comment_id}/replies"
