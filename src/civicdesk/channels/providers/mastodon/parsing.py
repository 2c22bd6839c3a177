"""Mastodon's documented entities (Notification, Status, Account) and streaming events, as our inbound events.

What we store for one event is a JSON envelope, the same whether the stream or the catch-up poll fetched it:

    {"event": "notification", "payload": <Notification>}      a mention or DM (type "mention"), an edit ("update")
    {"event": "status.update", "payload": <Status>}           a status edited (streaming, since 3.5.0)
    {"event": "delete", "payload": "<status id>"}              a status deleted (streaming; the payload is the id)

`payload` is the entity as the server sent it (the streaming API's `data:` line, parsed once; the REST list's item).
The transport meta (`PulledPayload.meta`) adds our account's Mastodon id and acct, the instance's host and, for a
reply, the thread's root status id (looked up by the adapter), so parsing needs no network and no database.
"""

import hashlib
import json
import mimetypes
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from civicdesk.channels.events import (
    AuthorEdit,
    Ignored,
    InboundAttachment,
    InboundEvent,
    InboundMessage,
    SenderIdentity,
    Visibility,
)
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError

MASTODON_IDENTITY = "mastodon"  # contacts' IdentityKind.MASTODON (the channel layer imports nothing from contacts)
EVENTS = ("notification", "status.update", "delete")
STATUS_UPDATE_ALIASES = {"status_update": "status.update"}  # mastodon-mock 0.6.1 names it with an underscore
PRIVATE_VISIBILITIES = ("direct", "private")  # a DM, or followers-only: our conversation is private
LEADING_MENTIONS = re.compile(r"^(?:@[\w.-]+(?:@[\w.-]+)?\s+)+")


class _Text(HTMLParser):
    """Status HTML (Mastodon's <p>, <br>, links and mention spans) as plain text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.parts).splitlines()]
    return "\n".join(lines).strip()


def envelope(event: str, payload: Any) -> bytes:
    """The bytes we store for one event (see the module docstring)."""
    return json.dumps({"event": event, "payload": payload}, ensure_ascii=False, separators=(",", ":")).encode()


def load(raw: bytes) -> tuple[str, Any]:
    """(event name, payload) of a stored envelope; raises ParseError."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(f"The Mastodon event is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("event"), str) or "payload" not in data:
        raise ParseError("The Mastodon event has no event name and payload.")
    name = str(data["event"])
    name = STATUS_UPDATE_ALIASES.get(name, name)
    return name, data["payload"]


def event_id(raw: bytes) -> str:
    """The provider id a stored event is deduplicated by: the notification's id (the stream and the poll deliver
    the same one), an edit's status id and edit time, a deletion's status id; "" when unreadable."""
    try:
        name, payload = load(raw)
    except ParseError:
        return ""
    if name == "notification" and isinstance(payload, dict) and payload.get("id"):
        return f"notification:{payload['id']}"
    if name == "status.update" and isinstance(payload, dict) and payload.get("id"):
        return f"edit:{payload['id']}:{payload.get('edited_at') or ''}"
    if name == "delete" and isinstance(payload, str | int):
        return f"delete:{payload}"
    return ""


def canonical_hash(raw: bytes) -> str:
    """What makes two copies of one event the same: its id, kind, author, status id, text and edit time. Counters
    (replies, favourites) change between the stream's copy and the poll's, and must not make a second message."""
    try:
        name, payload = load(raw)
    except ParseError:
        return hashlib.sha256(raw).hexdigest()
    status = _status_of(name, payload)
    facts = [name, str(payload) if not isinstance(payload, dict) else str(payload.get("id", "")),
             str(payload.get("type", "")) if isinstance(payload, dict) else ""]
    if status is not None:
        facts += [str(status.get("id", "")), str((status.get("account") or {}).get("id", "")),
                  str(status.get("content", "")), str(status.get("spoiler_text", "")),
                  str(status.get("edited_at") or ""), str(status.get("visibility", ""))]
    return hashlib.sha256(json.dumps(facts, ensure_ascii=False).encode()).hexdigest()


def _status_of(name: str, payload: Any) -> dict[str, Any] | None:
    if name == "notification" and isinstance(payload, dict) and isinstance(payload.get("status"), dict):
        return payload["status"]
    if name == "status.update" and isinstance(payload, dict):
        return payload
    return None


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def full_acct(account: dict[str, Any], instance: str) -> str:
    """user@domain: a local account's acct has no domain, so ours (the instance's) is added."""
    acct = str(account.get("acct") or account.get("username") or "").lstrip("@")
    return acct if "@" in acct or not instance else f"{acct}@{instance}"


def stable_id(account: dict[str, Any], instance: str) -> str:
    """The account's stable identity: its ActivityPub uri (the same from every instance), else its id here."""
    uri = str(account.get("uri") or "").strip()
    if uri:
        return uri
    if not account.get("id"):
        raise ParseError("The Mastodon account has no id.")
    return f"{account['id']}@{instance}"


def status_text(status: dict[str, Any], *, without_mentions: bool = False) -> str:
    """The status as plain text, its content warning first (residents put the subject there); without the
    mentions it opens with (of us, of others in the thread) for what staff read."""
    text = html_to_text(str(status.get("content") or ""))
    if without_mentions:
        text = LEADING_MENTIONS.sub("", text).strip() or text
    warning = str(status.get("spoiler_text") or "").strip()
    return f"{warning}\n\n{text}" if warning else text


def thread_key(root_id: str, author_id: str) -> str:
    """One conversation per thread and resident: the thread's root status and the author's account id."""
    return f"thread-{root_id}/account-{author_id}"


def parse(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    if not raw.strip():
        raise ParseError("The Mastodon event is empty.")
    name, payload = load(raw)
    if name == "notification":
        return [_notification(payload, meta)]
    if name == "status.update":
        return [_edit(payload, f"edit:{_id(payload)}:{payload.get('edited_at') or ''}")]
    if name == "delete":
        if not isinstance(payload, str | int) or not str(payload).strip():
            raise ParseError("A Mastodon delete event carries the deleted status's id.")
        return [AuthorEdit(channel=Channel.MASTODON, provider_message_id=f"delete:{payload}",
                           target_id=str(payload), deleted=True)]
    return [Ignored(channel=Channel.MASTODON, provider_message_id=f"{name}:{hashlib.sha256(raw).hexdigest()[:16]}",
                    reason=f"Mastodon event {name!r} is not for us")]


def _id(entity: Any) -> str:
    if not isinstance(entity, dict) or not str(entity.get("id") or "").strip():
        raise ParseError("The Mastodon entity has no id.")
    return str(entity["id"])


def _edit(status: Any, event_id: str) -> AuthorEdit:
    return AuthorEdit(channel=Channel.MASTODON, provider_message_id=event_id, target_id=_id(status),
                      text=status_text(status, without_mentions=True))


def _notification(notification: Any, meta: dict[str, Any]) -> InboundEvent:
    nid = _id(notification)
    kind = str(notification.get("type") or "")
    status = notification.get("status")
    if kind == "update" and isinstance(status, dict):  # a status we were notified of was edited
        return _edit(status, f"edit:{_id(status)}:{status.get('edited_at') or ''}")
    if kind != "mention":
        return Ignored(channel=Channel.MASTODON, provider_message_id=f"notification:{nid}",
                       reason=f"Mastodon notification of type {kind!r}")
    if not isinstance(status, dict):
        raise ParseError(f"Mastodon mention notification {nid} has no status.")
    return _mention(status, meta)


def _mention(status: dict[str, Any], meta: dict[str, Any]) -> InboundEvent:
    account = status.get("account")
    if not isinstance(account, dict):
        raise ParseError("The Mastodon status has no account.")
    instance = str(meta.get("instance") or host_of(str(account.get("url") or "")))
    status_id, author_id = _id(status), _id(account)
    if str(meta.get("our_account_id") or "") == author_id:
        return Ignored(channel=Channel.MASTODON, provider_message_id=f"status:{status_id}", reason="Our own status")
    acct = full_acct(account, instance)
    root = str(meta.get("thread_root") or status.get("in_reply_to_id") or status_id)
    private = str(status.get("visibility") or "public") in PRIVATE_VISIBILITIES
    return InboundMessage(
        channel=Channel.MASTODON,
        provider_message_id=status_id,
        sender=SenderIdentity(kind=MASTODON_IDENTITY, value=stable_id(account, instance),
                              display_name=f"@{acct}"),
        contact_name=str(account.get("display_name") or "").strip() or f"@{acct}",
        subject=str(status.get("spoiler_text") or "").strip()[:300],  # a content warning names the subject
        body_text=status_text(status),
        visible_text=status_text(status, without_mentions=True),
        attachments=[_attachment(item) for item in status.get("media_attachments") or [] if isinstance(item, dict)
                     and item.get("url")],
        conversation_key=thread_key(root, author_id),
        visibility=Visibility.PRIVATE if private else Visibility.PUBLIC,
        account_id=meta.get("account_id") if isinstance(meta.get("account_id"), int) else None,
        recipient=str(meta.get("our_acct") or ""),
        permalink=str(status.get("url") or status.get("uri") or ""),
        language=str(status.get("language") or ""),
    )


def _attachment(item: dict[str, Any]) -> InboundAttachment:
    url = str(item["url"])
    name = url.rsplit("/", 1)[-1].split("?", 1)[0] or "attachment"
    return InboundAttachment(filename=name[:255], content_type=mimetypes.guess_type(name)[0] or "", url=url)
