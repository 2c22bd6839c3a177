"""Sending on Bluesky: a public reply is a post in the resident's thread; a private one is a chat message.

A reply post (app.bsky.feed.post, written with createRecord by the SDK) carries `reply.parent`, a strong reference
(uri and cid) to the post it answers, and `reply.root`, copied from the parent's own `reply.root`, or the parent
itself when it started the thread (the documented rule). Both are read fresh with getPosts at sending time, so a
deleted post is refused in plain words instead of making a broken thread. The resident's handle is mentioned with a
mention facet (their DID), which is what makes Bluesky notify them; plain "@handle" text would not.

A retried send first looks for the same reply among our latest posts (a timeout after the PDS wrote it must not post
it twice). Direct messages go to the chat service (chat.bsky.convo.*, atproto-proxy did:web:api.bsky.chat#bsky_chat):
the conversation we have with the resident, else one made for the two members when their settings allow it.
"""

import re
import unicodedata
from typing import Any

from atproto_client import models
from atproto_client.exceptions import BadRequestError, RequestErrorBase, UnauthorizedError
from atproto_client.utils import facet_detection
from django.utils.translation import gettext

from civicdesk.channels.events import Visibility
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.providers.bluesky import session

MAX_GRAPHEMES = 300  # app.bsky.feed.post text: 300 graphemes
RECENT_POSTS = 25  # how far back a retried send looks for its own earlier success


def graphemes(text: str) -> int:
    """About how many characters a person sees (combining marks and joined emoji count once)."""
    count, joined = 0, False
    for char in text:
        if joined:
            joined = False
            continue
        if char == "\u200d":
            joined = True
            continue
        if unicodedata.category(char) in ("Mn", "Mc", "Me") or 0x1F3FB <= ord(char) <= 0x1F3FF:
            continue
        count += 1
    return count


def _failure(exc: RequestErrorBase, config: Any) -> Exception:
    """What a failed call means for delivery: wait (429), give up (400: the request can never succeed), retry."""
    session.note_limits(getattr(config, "id", 0), exc.response)
    wait = session.retry_after(exc)
    if wait is not None:
        return RateLimited(wait, "Bluesky is rate limiting this account.")
    if isinstance(exc, UnauthorizedError):
        session.forget(config)
        return exc
    if isinstance(exc, BadRequestError):
        return PermanentSendError(gettext("Bluesky refused the message: %(error)s") % {"error": str(exc)[:200]})
    return exc


def _mention(did: str, start: int, end: int) -> models.AppBskyRichtextFacet.Main:
    return models.AppBskyRichtextFacet.Main(features=[models.AppBskyRichtextFacet.Mention(did=did)],
                                            index=models.AppBskyRichtextFacet.ByteSlice(byte_start=start, byte_end=end))


def with_mention(text: str, handle: str, did: str, resolve: Any,
                 limit: int = MAX_GRAPHEMES) -> tuple[str, list[models.AppBskyRichtextFacet.Main]]:
    """The text, opening with the resident's @handle unless it names them already (or the handle would not fit in
    `limit`: a reply notifies the author of the post it answers anyway), and its facets: the resident's mention
    (their DID), every other @mention resolved to a DID (unknown ones stay plain text), links and hashtags."""
    text = text.strip()
    facets = list(facet_detection.detect_facets(text))
    taken: list[tuple[int, int]] = []
    tag = f"@{handle}"
    named = re.search(re.escape(tag) + r"(?![\w.-])", text, re.IGNORECASE) if handle else None
    at = named.start() if named else -1
    if handle and at < 0 and graphemes(f"{tag} {text}") > limit:
        handle = ""
    if handle:
        if at < 0:
            text, at = f"{tag} {text}", 0
            facets = list(facet_detection.detect_facets(text))
        start = len(text[:at].encode())
        taken.append((start, start + len(tag.encode())))
        facets.append(_mention(did, *taken[0]))
    for found in facet_detection.detect_mentions(text):
        if any(found.byte_start < end and start < found.byte_end for start, end in taken):
            continue
        other = resolve(found.handle)
        if other:
            facets.append(_mention(other, found.byte_start, found.byte_end))
    return text, sorted(facets, key=lambda facet: facet.index.byte_start)


def _resolver(client: Any) -> Any:
    def resolve(handle: str) -> str:
        try:
            return str(client.resolve_handle(handle).did)
        except RequestErrorBase:
            return ""
    return resolve


def _parent(client: Any, uri: str) -> Any:
    if not uri.startswith("at://"):
        raise PermanentSendError(gettext("This conversation has no Bluesky post to answer, so the reply cannot be "
                                         "posted in its thread."))
    posts = client.get_posts([uri]).posts
    if not posts:
        raise PermanentSendError(gettext("The post this reply answers is no longer on Bluesky (its author deleted "
                                         "it, or it was removed), so the reply was not posted."))
    return posts[0]


def _already_posted(client: Any, did: str, parent_uri: str, text: str) -> str:
    """The URI of a reply with this text to this parent among our latest posts ("" when there is none)."""
    found = client.com.atproto.repo.list_records(models.ComAtprotoRepoListRecords.Params(
        repo=did, collection="app.bsky.feed.post", limit=RECENT_POSTS))
    for item in found.records:
        value = item.value
        reply = getattr(value, "reply", None)
        if reply is not None and reply.parent.uri == parent_uri and getattr(value, "text", None) == text:
            return str(item.uri)
    return ""


def send_post_reply(config: Any, message: OutboundMessage) -> str:
    """A reply post in the resident's thread; returns its AT URI."""
    try:
        client = session.client_for(config)
        parent = _parent(client, message.in_reply_to)
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=parent.uri, cid=parent.cid)
        parent_reply = getattr(parent.record, "reply", None)
        root_ref = (models.ComAtprotoRepoStrongRef.Main(uri=parent_reply.root.uri, cid=parent_reply.root.cid)
                    if parent_reply is not None else parent_ref)
        author = parent.author
        mention = author.handle if author.did == message.to or not message.to else ""
        text, facets = with_mention(message.text, mention, author.did, _resolver(client))
        if not message.text.strip():
            raise PermanentSendError(gettext("An empty reply cannot be posted."))
        if graphemes(text) > MAX_GRAPHEMES:
            raise PermanentSendError(gettext("A Bluesky post holds at most 300 characters; shorten the reply or "
                                             "continue privately."))
        did = session.account_did(client)
        earlier = _already_posted(client, did, parent.uri, text)
        if earlier:
            return earlier
        created = client.send_post(text, reply_to=models.AppBskyFeedPost.ReplyRef(parent=parent_ref, root=root_ref),
                                   facets=facets or None, profile_identify=did)
    except RequestErrorBase as exc:
        raise _failure(exc, config) from None
    return str(created.uri)


def send_direct_message(config: Any, message: OutboundMessage) -> str:
    """A chat message to the resident; returns "chat:<convo>:<message id>"."""
    if not message.text.strip():
        raise PermanentSendError(gettext("An empty message cannot be sent."))
    try:
        chat = session.chat_client(config).chat.bsky.convo
        convo_id = message.conversation_key.removeprefix("convo:") if message.conversation_key.startswith(
            "convo:") else ""
        if not convo_id:
            if not message.to.startswith("did:"):
                raise PermanentSendError(gettext("The resident's Bluesky identity is unknown, so no direct message "
                                                 "can be sent."))
            available = chat.get_convo_availability({"members": [message.to]})
            if not available.can_chat:
                raise PermanentSendError(gettext("This resident does not accept direct messages from the agency's "
                                                 "Bluesky account; reply in public or ask them to write first."))
            convo_id = (available.convo.id if available.convo is not None
                        else chat.get_convo_for_members({"members": [message.to]}).convo.id)
        sent = chat.send_message({"convo_id": convo_id, "message": {"text": message.text.strip()}})
    except RequestErrorBase as exc:
        raise _failure(exc, config) from None
    return f"chat:{convo_id}:{sent.id}"


def is_direct(message: OutboundMessage) -> bool:
    """A chat conversation, or a private reply: a direct message; a public one: a post in the thread."""
    return message.conversation_key.startswith("convo:") or message.visibility != Visibility.PUBLIC
