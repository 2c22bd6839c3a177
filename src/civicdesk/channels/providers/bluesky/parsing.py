"""Bluesky payloads as the network gives them, parsed into events.

A stored payload is the JSON body of the calls that fetched it, trimmed to one item:
- `{"listNotifications": {"notifications": [N]}}`: one notification (app.bsky.notification.listNotifications), with
  `"getPosts": {"posts": [...]}` when the post was fetched too. A mention, reply or quote is a public message;
  likes, reposts, follows and the rest are ignored.
- `{"getPosts": {"uris": [U...], "posts": [...]}}`: a check of posts we hold; each asked URI the AppView no longer
  returns was deleted by its author (or taken down): an AuthorEdit deletion; one returned with another CID than we
  stored (meta "known_cids") was rewritten: an AuthorEdit with its new text.
- `{"getLog": {"logs": [L]}}`: one chat log entry (chat.bsky.convo.getLog); a created message from a resident is a
  private message.
The transport meta carries our account's DID and handle ("account_did", "account_handle") and its id.

Identities are DIDs (stable); the handle is the display name (it can change). A public conversation is keyed by
its thread root's AT URI; a resident answering in a thread someone else started (our own post, say) gets a
conversation of their own in it ("<root uri> <their did>"), so two residents never share one.
"""

import json
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from civicdesk.channels.events import AuthorEdit, Ignored, InboundEvent, InboundMessage, SenderIdentity, Visibility
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError

MESSAGE_REASONS = ("mention", "reply", "quote")  # what someone wrote to or at us; the rest (likes...) is ignored
IDENTITY_KIND = "bluesky"  # contacts.models.IdentityKind.BLUESKY (the channel layer does not import contacts)
APP_URL = "https://bsky.app"


def obj(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (a payload's fields are never trusted to be there)."""
    return value if isinstance(value, dict) else {}


def array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def load(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"The Bluesky payload is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ParseError("The Bluesky payload is not a JSON object.")
    return body


def did_of(uri: str) -> str:
    """The repository (author DID) of an AT URI: at://<did>/<collection>/<rkey>."""
    return uri.removeprefix("at://").split("/", 1)[0] if uri.startswith("at://") else ""


def permalink(uri: str) -> str:
    """The post's page on bsky.app."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) == 3 and parts[1] == "app.bsky.feed.post":
        return f"{APP_URL}/profile/{parts[0]}/post/{parts[2]}"
    return ""


def thread_key(post_uri: str, record: dict[str, Any], author_did: str) -> str:
    """The conversation of a post: its thread root, and the author too when the root is someone else's."""
    root = obj(obj(record.get("reply")).get("root"))
    root_uri = str(root.get("uri") or post_uri)
    return root_uri if did_of(root_uri) == author_did else f"{root_uri} {author_did}"


def _when(value: Any) -> datetime | None:
    try:
        return parse_datetime(str(value)) if value else None
    except ValueError:
        return None


def _account_id(meta: dict[str, Any]) -> int | None:
    value = meta.get("account_id")
    return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None


def _handle(profile: dict[str, Any]) -> str:
    handle = str(profile.get("handle") or "")
    return f"@{handle}" if handle and handle != "handle.invalid" else ""


def notification_events(body: dict[str, Any], meta: dict[str, Any]) -> list[InboundEvent]:
    page = body.get("listNotifications")
    items = page.get("notifications") if isinstance(page, dict) else None
    if not isinstance(items, list) or not items:
        raise ParseError("The Bluesky notification payload holds no notification.")
    return [_notification(item, meta) for item in items]


def _notification(item: Any, meta: dict[str, Any]) -> InboundEvent:
    if not isinstance(item, dict):
        raise ParseError("A Bluesky notification is not an object.")
    uri, reason = str(item.get("uri") or ""), str(item.get("reason") or "")
    author = obj(item.get("author"))
    record = obj(item.get("record"))
    did = str(author.get("did") or "")
    if not uri or not did:
        raise ParseError("A Bluesky notification has no uri or author DID.")
    if reason not in MESSAGE_REASONS:
        return Ignored(channel=Channel.BLUESKY, provider_message_id=uri, reason=f"Bluesky notification: {reason}")
    if did == meta.get("account_did"):
        return Ignored(channel=Channel.BLUESKY, provider_message_id=uri, reason="Our own post")
    handle = _handle(author)
    text = str(record.get("text") or "")
    ours = f"@{meta.get('account_handle', '')}".lower()
    visible = text[len(ours):].lstrip(" ,:") if len(ours) > 1 and text.lower().startswith(ours) else text
    langs = array(record.get("langs"))
    return InboundMessage(
        channel=Channel.BLUESKY, provider_message_id=uri,
        sender=SenderIdentity(kind=IDENTITY_KIND, value=did, display_name=handle),
        contact_name=str(author.get("displayName") or "").strip() or handle,
        body_text=text, visible_text=visible or text, conversation_key=thread_key(uri, record, did),
        visibility=Visibility.PUBLIC, account_id=_account_id(meta),
        recipient=str(meta.get("account_did") or ""), sent_at=_when(record.get("createdAt") or item.get("indexedAt")),
        permalink=permalink(uri), language=str(langs[0])[:10] if langs else "",
        attributes={"bluesky_reason": reason, "bluesky_cid": str(item.get("cid") or "")},
    )


def check_events(body: dict[str, Any], meta: dict[str, Any]) -> list[InboundEvent]:
    """A getPosts answer about posts we hold: each asked URI it no longer returns was deleted by its author (or
    removed by moderation); a post returned with another CID than the one we stored (meta "known_cids") was
    rewritten by its author (Bluesky's app cannot edit, but a record can be put again): an edit."""
    found = body.get("getPosts")
    if not isinstance(found, dict) or not isinstance(found.get("uris"), list):
        raise ParseError("The Bluesky getPosts payload names no posts.")
    posts = {str(post.get("uri")): post for post in array(found.get("posts")) if isinstance(post, dict)}
    known = obj(meta.get("known_cids"))
    events: list[InboundEvent] = []
    for uri in found["uris"]:
        if not isinstance(uri, str) or not uri:
            continue
        post = posts.get(uri)
        if post is None:
            events.append(AuthorEdit(channel=Channel.BLUESKY, provider_message_id=f"deleted:{uri}", target_id=uri,
                                     deleted=True))
        elif known.get(uri) and post.get("cid") and post.get("cid") != known[uri]:
            events.append(AuthorEdit(channel=Channel.BLUESKY, provider_message_id=f"edited:{uri}:{post['cid']}",
                                     target_id=uri, text=str(obj(post.get("record")).get("text") or "")))
    return events


def chat_events(body: dict[str, Any], meta: dict[str, Any]) -> list[InboundEvent]:
    page = body.get("getLog")
    logs = page.get("logs") if isinstance(page, dict) else None
    if not isinstance(logs, list) or not logs:
        raise ParseError("The Bluesky chat payload holds no log entry.")
    return [_log_entry(entry, meta) for entry in logs]


def _log_entry(entry: Any, meta: dict[str, Any]) -> InboundEvent:
    if not isinstance(entry, dict):
        raise ParseError("A Bluesky chat log entry is not an object.")
    kind, convo = str(entry.get("$type") or ""), str(entry.get("convoId") or "")
    message = obj(entry.get("message"))
    message_id = str(message.get("id") or "")
    event_id = f"chat:{convo}:{message_id or entry.get('rev', '')}"
    if kind != "chat.bsky.convo.defs#logCreateMessage" or not message_id:
        # A deletion in our own log is one we made (Bluesky's chat deletes "for me" only): nothing to follow.
        return Ignored(channel=Channel.BLUESKY, provider_message_id=event_id, reason=f"Bluesky chat log: {kind}")
    sender = obj(message.get("sender"))
    did = str(sender.get("did") or "")
    if not convo or not did:
        raise ParseError("A Bluesky chat message has no conversation or sender.")
    if did == meta.get("account_did"):
        return Ignored(channel=Channel.BLUESKY, provider_message_id=event_id, reason="Our own chat message")
    profiles = array(entry.get("relatedProfiles"))
    profile = next((p for p in profiles if isinstance(p, dict) and p.get("did") == did), {})
    handle = _handle(profile)
    text = str(message.get("text") or "")
    return InboundMessage(
        channel=Channel.BLUESKY, provider_message_id=event_id,
        sender=SenderIdentity(kind=IDENTITY_KIND, value=did, display_name=handle),
        contact_name=str(profile.get("displayName") or "").strip() or handle,
        body_text=text, visible_text=text, conversation_key=f"convo:{convo}", visibility=Visibility.PRIVATE,
        account_id=_account_id(meta), recipient=str(meta.get("account_did") or ""),
        sent_at=_when(message.get("sentAt")),
    )


def events_of(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    body = load(raw)
    if "listNotifications" in body:
        return notification_events(body, meta)
    if "getLog" in body:
        return chat_events(body, meta)
    if "getPosts" in body:
        return check_events(body, meta)
    raise ParseError("The Bluesky payload is neither a notification, a chat log entry nor a post check.")


def provider_id(raw: bytes) -> str:
    """The id a payload is stored under: the post's AT URI, "chat:<convo>:<message>", "deleted:<uri>" or
    "edited:<uri>:<cid>"."""
    try:
        events = events_of(raw, {})
    except ParseError:
        return ""
    return str(getattr(events[0], "provider_message_id", "")) if len(events) == 1 else ""


def stable_parts(raw: bytes) -> str:
    """What makes two fetches of one item the same: the record's URI and CID (isRead, labels and the author's
    handle change between fetches; the CID changes only with the record), or the chat message's id and rev."""
    try:
        body = load(raw)
    except ParseError:
        return ""
    page = body.get("listNotifications")
    if isinstance(page, dict) and isinstance(page.get("notifications"), list):
        return "|".join(f"{n.get('uri')}#{n.get('cid')}" for n in page["notifications"] if isinstance(n, dict))
    log = body.get("getLog")
    if isinstance(log, dict) and isinstance(log.get("logs"), list):
        return "|".join(f"{e.get('convoId')}#{(e.get('message') or {}).get('id')}#{e.get('rev')}"
                        for e in log["logs"] if isinstance(e, dict))
    posts = body.get("getPosts")
    if isinstance(posts, dict) and isinstance(posts.get("uris"), list):
        return "getPosts|" + "|".join(f"{p.get('uri')}#{p.get('cid')}" for p in array(posts.get("posts"))
                                      if isinstance(p, dict)) + "|" + "|".join(map(str, posts["uris"]))
    return ""
