"""YouTube comments: the account is our channel (address: its UC... id), polled for comment threads on its
videos; agents answer with comment replies (comments.insert, parentId = the thread's top-level comment)."""

from typing import Any

from django.utils.translation import gettext
from googleapiclient.errors import HttpError

from civicdesk.channels.events import InboundEvent
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError, RateLimited
from civicdesk.channels.providers.youtube import client, parsing, polling, quota
from civicdesk.channels.providers.youtube.errors import plain_error
from civicdesk.channels.providers.youtube.simulation import simulated_comment
from civicdesk.channels.pulling import PollResult
from civicdesk.channels.simulate import SimulatedPull

MAX_COMMENT_LENGTH = 10000  # YouTube's limit for a comment's text


class YouTubeAdapter(ChannelAdapter):
    """One YouTube channel of an agency (a ChannelAccount of provider "youtube")."""

    channel = Channel.YOUTUBE
    capabilities = Capabilities(max_length=MAX_COMMENT_LENGTH, public_replies=True)

    def poll(self, config: Any) -> PollResult:
        """New comments, replies, edits and deletions since the account's cursor (see polling.py)."""
        return polling.poll(config)

    def simulate(self, config: Any, text: str, kind: str) -> SimulatedPull:
        return simulated_comment(config, text, kind, polling.agency_slug(config.id))

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        try:
            found = parsing.provider_id(raw, meta)
        except ParseError:
            found = ""
        return found or super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """A comment fetched again with more likes or replies is the same comment (parsing.stable_content)."""
        try:
            content = parsing.stable_content(raw, meta)
        except ParseError:
            return super().content_hash(raw, meta)
        return super().content_hash(content.encode(), meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        if not raw.strip():
            raise ParseError("The YouTube payload is empty.")
        return parsing.events(raw, meta)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """A reply to the thread's top-level comment; its cost (50 units) comes out of the account's quota, and a
        reply that the quota can no longer pay waits for midnight Pacific Time."""
        if account is None:
            raise PermanentSendError(gettext("No YouTube channel is connected for this conversation, so the reply "
                                             "cannot be posted."))
        parent = message.conversation_key or message.in_reply_to
        if not parent:
            raise PermanentSendError(gettext("The reply names no YouTube comment to answer."))
        text = message.text.strip()
        if not text:
            raise PermanentSendError(gettext("An empty reply cannot be posted on YouTube."))
        if not quota.may_reply(quota.units_left(account.id)):
            raise RateLimited(quota.seconds_to_reset(), gettext(
                "The YouTube channel's daily quota cannot pay for a reply; it is posted after midnight Pacific Time."))
        try:
            api = client.service(account, write=True)
        except client.NotAuthorised as exc:
            raise PermanentSendError(str(exc)) from exc
        request = api.comments().insert(part="snippet", body={"snippet": {"parentId": parent,
                                                                          "textOriginal": text}})
        try:
            response = client.execute(request, account.id, "comments.insert")
        except HttpError as exc:
            status = client.status_of(exc)
            if 400 <= status < 500:
                raise PermanentSendError(plain_error(client.reasons(exc), status)) from exc
            raise
        return str(response.get("id") or "")
