"""X's webhook payloads as events: the Account Activity shape (`for_user_id` with `tweet_create_events`,
`direct_message_events` and its `users` map, `tweet_delete_events`, ...) and the X Activity envelope
(`{"data": {"event_uuid", "event_type", "filter", "payload", "includes"}}`).

Mentions, replies and quotes that address our account become public messages threaded by the post's conversation
(its `conversation_id` where X gives one, else the post it answers); direct messages to us become private ones, one
conversation per resident. Our own posts and messages, events for another subscribed account, reposts, likes,
follows, typing and read receipts are Ignored. A deleted post becomes an AuthorEdit deletion; an edited one (a new
id in the post's edit history) an AuthorEdit of the first version we hold.
"""

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from civicdesk.channels.events import AuthorEdit, Ignored, InboundEvent, InboundMessage, SenderIdentity, Visibility
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError

CHANNEL = Channel.X
X_IDENTITY = "x"  # contacts' IdentityKind.X (the channel layer imports nothing from contacts)
MENTION_TYPES = ("post.mention.create", "post.reply.create", "post.quote.create")
# Account Activity keys that carry nothing for a case (likes, follows, blocks, mutes, typing, read receipts, ...)
IGNORED_KEYS = ("favorite_events", "follow_events", "unfollow_events", "block_events", "unblock_events",
                "mute_events", "unmute_events", "direct_message_indicate_typing_events",
                "direct_message_mark_read_events", "user_event", "replay_job_status", "spaces_events")


def load(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"The X webhook body is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise ParseError("The X webhook body is not a JSON object.")
    return doc


def _str(value: Any) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def thread_key(post_id: str) -> str:
    return f"post:{post_id}"


def dm_key(resident_id: str) -> str:
    return f"dm:{resident_id}"


def permalink(handle: str, post_id: str) -> str:
    return f"https://x.com/{handle or 'i'}/status/{post_id}"


def _when_ms(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _when(text: Any) -> datetime | None:
    """v1.1 "Mon May 19 14:01:46 +0000 2025" or v2 ISO "2026-07-24T21:05:48.000Z"."""
    value = _str(text)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        parts = value.split()  # v1.1 puts the year last
        return parsedate_to_datetime(f"{parts[0]}, {parts[2]} {parts[1]} {parts[5]} {parts[3]} {parts[4]}")
    except (IndexError, TypeError, ValueError):
        return None


def events_of(raw: bytes, meta: dict[str, Any], our_id: str = "", agency: str = "") -> list[InboundEvent]:
    """Every event of one X webhook body (a batch is several); `our_id` is the account's X user id ("" unknown),
    `agency` the slug of the account's agency, where its messages' new cases go."""
    doc = load(raw)
    account_id = meta.get("account_id") if isinstance(meta.get("account_id"), int) else None
    if isinstance(doc.get("data"), dict) and "event_type" in doc["data"]:
        events = _activity(doc["data"], our_id, account_id)
    else:
        events = _account_activity(doc, our_id, account_id)
    for event in events:
        if isinstance(event, InboundMessage):
            event.agency_slug = agency
    return events


# --- Account Activity (v1.1 objects) -------------------------------------------------------------------------

def _account_activity(doc: dict[str, Any], our_id: str, account_id: int | None) -> list[InboundEvent]:
    for_user = _str(doc.get("for_user_id"))
    known = [key for key in ("tweet_create_events", "direct_message_events", "tweet_delete_events", *IGNORED_KEYS)
             if key in doc]
    if not known:
        raise ParseError("The X webhook body carries no Account Activity or X Activity event.")
    if for_user and our_id and for_user != our_id:  # a shared webhook delivers another subscribed account's events
        return [Ignored(CHANNEL, f"for:{for_user}:{key}:{i}", "for another X account")
                for key in known for i, _ in enumerate(_list(doc.get(key)) or [None])]
    us = for_user or our_id
    events: list[InboundEvent] = []
    for tweet in _list(doc.get("tweet_create_events")):
        events.append(_tweet_v1(_dict(tweet), us, account_id))
    users = _dict(doc.get("users"))
    for item in _list(doc.get("direct_message_events")):
        events.append(_direct_message(_dict(item), users, us, account_id))
    for item in _list(doc.get("tweet_delete_events")):
        status = _dict(_dict(item).get("status"))
        post_id = _str(status.get("id_str") or status.get("id"))
        if not post_id:
            raise ParseError("An X post deletion names no post.")
        events.append(AuthorEdit(CHANNEL, f"delete:{post_id}", target_id=post_id, deleted=True))
    events.extend(Ignored(CHANNEL, f"{key}:{i}", key.replace("_", " "))
                  for key in IGNORED_KEYS if key in doc for i, _ in enumerate(_list(doc.get(key)) or [None]))
    return events


def _mentions_v1(tweet: dict[str, Any]) -> list[str]:
    entities = _dict(_dict(tweet.get("extended_tweet")).get("entities")) or _dict(tweet.get("entities"))
    return [_str(m.get("id_str") or m.get("id")) for m in map(_dict, _list(entities.get("user_mentions")))]


def _text_v1(tweet: dict[str, Any]) -> tuple[str, str]:
    """(full text, visible text): the long form when truncated; the visible part without the leading @names."""
    extended = _dict(tweet.get("extended_tweet"))
    text = _str(extended.get("full_text") or tweet.get("full_text") or tweet.get("text"))
    shown = _list(extended.get("display_text_range") or tweet.get("display_text_range"))
    visible = text
    if len(shown) == 2 and all(isinstance(n, int) for n in shown):
        visible = text[shown[0]:shown[1]].strip() or text
    return text, visible


def _tweet_v1(tweet: dict[str, Any], us: str, account_id: int | None) -> InboundEvent:
    post_id = _str(tweet.get("id_str") or tweet.get("id"))
    if not post_id:
        raise ParseError("An X post in tweet_create_events has no id.")
    user = _dict(tweet.get("user"))
    author = _str(user.get("id_str") or user.get("id"))
    if us and author == us:
        return Ignored(CHANNEL, post_id, "our own post")
    if "retweeted_status" in tweet:
        return Ignored(CHANNEL, post_id, "a repost")
    replied_to = _str(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id"))
    quoted_author = _str(_dict(_dict(tweet.get("quoted_status")).get("user")).get("id_str"))
    summoned = not us or us in _mentions_v1(tweet) or _str(tweet.get("in_reply_to_user_id_str")) == us \
        or quoted_author == us
    if not summoned:  # X lets us reply only to posts that mention or quote us
        return Ignored(CHANNEL, post_id, "a post that does not address us")
    history = _dict(tweet.get("edit_history"))
    edits = [_str(i) for i in _list(history.get("edit_tweet_ids"))]
    first = _str(history.get("initial_tweet_id")) or (edits[0] if edits else "")
    text, visible = _text_v1(tweet)
    if first and first != post_id:
        return AuthorEdit(CHANNEL, post_id, target_id=first, text=visible)
    handle = _str(user.get("screen_name"))
    conversation = _str(tweet.get("conversation_id_str") or tweet.get("conversation_id")) or replied_to or post_id
    return InboundMessage(
        channel=CHANNEL, provider_message_id=post_id,
        sender=SenderIdentity(X_IDENTITY, author, f"@{handle}" if handle else ""),
        contact_name=_str(user.get("name")), body_text=text, visible_text=visible,
        conversation_key=thread_key(conversation), visibility=Visibility.PUBLIC, account_id=account_id,
        thread_refs=[replied_to] if replied_to else [],
        sent_at=_when_ms(tweet.get("timestamp_ms")) or _when(tweet.get("created_at")),
        permalink=permalink(handle, post_id), language=_language(tweet.get("lang")),
    )


def _language(value: Any) -> str:
    code = _str(value)
    return "" if code in ("", "und", "zxx", "qme", "qht") else code[:2]


# --- direct messages (the same shape in both APIs) -------------------------------------------------------------

def _user_of(users: dict[str, Any], user_id: str) -> dict[str, Any]:
    """A user of the payload's users map: Account Activity's plain object or X Activity's {"data": {...}}."""
    found = _dict(users.get(user_id))
    return _dict(found.get("data")) or found


def _direct_message(item: dict[str, Any], users: dict[str, Any], us: str, account_id: int | None) -> InboundEvent:
    event_id = _str(item.get("id"))
    if not event_id:
        raise ParseError("An X direct message event has no id.")
    if item.get("type") != "message_create":
        return Ignored(CHANNEL, event_id, f"direct message event {_str(item.get('type'))}")
    create = _dict(item.get("message_create"))
    sender = _str(create.get("sender_id"))
    recipient = _str(_dict(create.get("target")).get("recipient_id"))
    if us and sender == us:
        return Ignored(CHANNEL, event_id, "our own direct message")
    if us and recipient != us:
        return Ignored(CHANNEL, event_id, "a direct message to another account")
    if not sender:
        raise ParseError("An X direct message names no sender.")
    data = _dict(create.get("message_data"))
    text = _str(data.get("text"))
    user = _user_of(users, sender)
    handle = _str(user.get("screen_name") or user.get("username"))
    return InboundMessage(
        channel=CHANNEL, provider_message_id=event_id,
        sender=SenderIdentity(X_IDENTITY, sender, f"@{handle}" if handle else ""),
        contact_name=_str(user.get("name")), body_text=text, visible_text=text,
        conversation_key=dm_key(sender), visibility=Visibility.PRIVATE, account_id=account_id,
        sent_at=_when_ms(item.get("created_timestamp")),
    )


# --- X Activity (v2 objects) -----------------------------------------------------------------------------------

def _activity(data: dict[str, Any], our_id: str, account_id: int | None) -> list[InboundEvent]:
    uuid = _str(data.get("event_uuid"))
    kind = _str(data.get("event_type"))
    us = _str(_dict(data.get("filter")).get("user_id"))
    if us and our_id and us != our_id:
        return [Ignored(CHANNEL, f"xaa:{uuid}", "for another X account")]
    us = us or our_id
    payload = _dict(data.get("payload"))
    if kind in MENTION_TYPES:
        return [_post_v2(payload, _dict(data.get("includes")), us, account_id)]
    if kind == "dm.received":
        users = _dict(payload.get("users"))
        return [_direct_message(_dict(item), users, us, account_id)
                for item in _list(payload.get("direct_message_events"))] or [Ignored(CHANNEL, f"xaa:{uuid}", kind)]
    if kind == "post.delete":
        post_id = _str(payload.get("id"))
        if not post_id:
            raise ParseError("An X post deletion names no post.")
        return [AuthorEdit(CHANNEL, f"delete:{post_id}", target_id=post_id, deleted=True)]
    if not kind:
        raise ParseError("The X Activity event has no event_type.")
    return [Ignored(CHANNEL, f"xaa:{uuid}", kind)]  # our own posts, likes, follows, chat (encrypted), ...


def _post_v2(post: dict[str, Any], includes: dict[str, Any], us: str, account_id: int | None) -> InboundEvent:
    post_id = _str(post.get("id"))
    if not post_id:
        raise ParseError("The X post in the event has no id.")
    author = _str(post.get("author_id"))
    if us and author == us:
        return Ignored(CHANNEL, post_id, "our own post")
    edits = [_str(i) for i in _list(post.get("edit_history_tweet_ids"))]
    note = _dict(post.get("note_tweet"))
    text = _str(note.get("text") or post.get("text"))
    if edits and edits[0] != post_id:
        return AuthorEdit(CHANNEL, post_id, target_id=edits[0], text=text)
    user = next((u for u in map(_dict, _list(includes.get("users"))) if _str(u.get("id")) == author), {})
    handle = _str(user.get("username"))
    replied_to = next((_str(r.get("id")) for r in map(_dict, _list(post.get("referenced_tweets")))
                       if r.get("type") == "replied_to"), "")
    conversation = _str(post.get("conversation_id")) or replied_to or post_id
    return InboundMessage(
        channel=CHANNEL, provider_message_id=post_id,
        sender=SenderIdentity(X_IDENTITY, author, f"@{handle}" if handle else ""),
        contact_name=_str(user.get("name")), body_text=text, visible_text=text,
        conversation_key=thread_key(conversation), visibility=Visibility.PUBLIC, account_id=account_id,
        thread_refs=[replied_to] if replied_to else [], sent_at=_when(post.get("created_at")),
        permalink=permalink(handle, post_id), language=_language(post.get("lang")),
    )


def first_id(raw: bytes) -> str:
    """The id of a payload's only event (a post, a direct message, a deletion), for the raw store; "" otherwise."""
    try:
        doc = load(raw)
    except ParseError:
        return ""
    data = _dict(doc.get("data"))
    if data.get("event_type") in MENTION_TYPES:
        return _str(_dict(data.get("payload")).get("id"))
    if data:
        return f"xaa:{_str(data.get('event_uuid'))}" if data.get("event_uuid") else ""
    items = [(key, item) for key in ("tweet_create_events", "direct_message_events")
             for item in _list(doc.get(key))]
    if len(items) == 1:
        key, item = items[0]
        return _str(_dict(item).get("id_str") or _dict(item).get("id"))
    return ""
