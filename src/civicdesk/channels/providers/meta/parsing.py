"""Meta's webhook payloads (object "page" or "instagram", batched in entry[]) as events: one event per messaging item
or feed change. Only the item's own values are used (never entry.time, which changes between deliveries), so an
event is the same whether Meta sends it alone or in a batch, first time or on a retry."""

import dataclasses
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from civicdesk.channels.events import (
    AuthorEdit,
    DeliveryOutcome,
    DeliveryReport,
    Ignored,
    InboundAttachment,
    InboundEvent,
    InboundMessage,
    SenderIdentity,
    Visibility,
)
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError
from civicdesk.channels.providers.meta import ids

CHANNEL_OF_OBJECT: dict[str, str] = {"page": Channel.FACEBOOK, "instagram": Channel.INSTAGRAM}
# contacts' IdentityKind values (the channel layer imports nothing from contacts)
KIND_OF_CHANNEL: dict[str, str] = {Channel.FACEBOOK: "facebook", Channel.INSTAGRAM: "instagram"}
ATTACHMENT_TYPES = {"image": "image/jpeg", "video": "video/mp4", "audio": "audio/mpeg",
                    "file": "application/octet-stream", "sticker": "image/png"}


def document(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(f"The Meta webhook body is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise ParseError("The Meta webhook body has no entry list.")
    if data.get("object") not in CHANNEL_OF_OBJECT:
        raise ParseError(f"Meta webhooks for object {str(data.get('object'))[:40]!r} are not handled.")
    return data


def events_of(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    data = document(raw)
    channel = CHANNEL_OF_OBJECT[data["object"]]
    account_id = meta.get("account_id") if isinstance(meta.get("account_id"), int) else None
    found: list[InboundEvent] = []
    for entry in data["entry"]:
        if not isinstance(entry, dict):
            raise ParseError("A Meta webhook entry is not an object.")
        owner = str(entry.get("id") or "")
        if not owner:
            raise ParseError("A Meta webhook entry has no id (the page or Instagram account).")
        for item in entry.get("messaging") or entry.get("standby") or []:
            found.append(_messaging(channel, owner, item, account_id))
        for change in entry.get("changes") or []:
            found.append(_change(channel, owner, change, account_id))
    if not found:
        raise ParseError("The Meta webhook carries no messaging item and no change.")
    return found


def _when(value: Any) -> datetime | None:
    """Meta's times: milliseconds (messaging), seconds (feed) or ISO 8601 (Instagram comments)."""
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _sender(channel: str, owner: str, user_id: str, name: str = "") -> SenderIdentity:
    return SenderIdentity(kind=KIND_OF_CHANNEL[channel], value=ids.identity_value(owner, user_id), display_name=name)


def _messaging(channel: str, owner: str, item: Any, account_id: int | None) -> InboundEvent:
    if not isinstance(item, dict):
        raise ParseError("A Meta messaging item is not an object.")
    sender = str((item.get("sender") or {}).get("id") or "")
    message = item.get("message")
    if isinstance(item.get("message_edit"), dict):
        edit = item["message_edit"]
        mid = str(edit.get("mid") or "")
        return AuthorEdit(channel=channel, provider_message_id=f"{mid}:edit:{edit.get('num_edit', '')}",
                          target_id=mid, text=str(edit.get("text") or ""))
    if isinstance(item.get("delivery"), dict):
        mids = [str(m) for m in item["delivery"].get("mids") or []]
        if not mids:
            return Ignored(channel, f"delivery:{item['delivery'].get('watermark', '')}", "a delivery watermark")
        return DeliveryReport(channel=channel, provider_message_id="delivered:" + ",".join(sorted(mids))[:280],
                              about=mids, outcome=DeliveryOutcome.DELIVERED, at=_when(item.get("timestamp")))
    if isinstance(message, dict):
        mid = str(message.get("mid") or "")
        if not mid:
            raise ParseError("A Meta message has no mid.")
        if message.get("is_echo") or sender == owner:
            return Ignored(channel, mid, "our own message (an echo)")
        if message.get("is_deleted"):
            return AuthorEdit(channel=channel, provider_message_id=f"{mid}:deleted", target_id=mid, deleted=True)
        if not sender:
            raise ParseError("A Meta message has no sender id.")
        return _dm(channel, owner, sender, mid, message, item, account_id)
    if isinstance(item.get("postback"), dict):
        postback = item["postback"]
        mid = str(postback.get("mid") or "")
        if sender and mid:
            return _dm(channel, owner, sender, mid, {"text": postback.get("title") or ""}, item, account_id)
    kind = next((key for key in ("read", "reaction", "optin", "referral", "postback", "account_linking")
                 if key in item), "unknown")
    return Ignored(channel, f"{kind}:{sender}:{item.get('timestamp', '')}", f"a {kind} event")


def _dm(channel: str, owner: str, sender: str, mid: str, message: dict[str, Any], item: dict[str, Any],
        account_id: int | None) -> InboundMessage:
    attachments = []
    for number, attachment in enumerate(message.get("attachments") or [], start=1):
        if not isinstance(attachment, dict):
            continue
        kind = str(attachment.get("type") or "file")
        url = str((attachment.get("payload") or {}).get("url") or "")
        if url:
            attachments.append(InboundAttachment(filename=f"{kind}-{number}", url=url,
                                                 content_type=ATTACHMENT_TYPES.get(kind, "application/octet-stream")))
    text = str(message.get("text") or "")
    return InboundMessage(
        channel=channel, provider_message_id=mid, sender=_sender(channel, owner, sender), body_text=text,
        visible_text=text, attachments=attachments, conversation_key=ids.dm_key(owner, sender),
        visibility=Visibility.PRIVATE, account_id=account_id, recipient=owner, sent_at=_when(item.get("timestamp")),
    )


def _change(channel: str, owner: str, change: Any, account_id: int | None) -> InboundEvent:
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        raise ParseError("A Meta change has no value.")
    field, value = str(change.get("field") or ""), change["value"]
    if field == "feed" and value.get("item") == "comment":
        return _page_comment(channel, owner, value, account_id)
    if field in ("comments", "live_comments") and channel == Channel.INSTAGRAM:
        return _instagram_comment(owner, value, account_id)
    if field == "messages" and isinstance(value.get("message"), dict):  # a messaging item sent as a change
        return _messaging(channel, owner, value, account_id)
    marker = value.get("comment_id") or value.get("post_id") or value.get("id") or value.get("media_id") or ""
    return Ignored(channel, f"{field}:{value.get('item', '')}:{value.get('verb', '')}:{marker}",
                   f"a {field} change ({value.get('item', '')} {value.get('verb', '')})".strip())


def _page_comment(channel: str, owner: str, value: dict[str, Any], account_id: int | None) -> InboundEvent:
    comment_id, verb = str(value.get("comment_id") or ""), str(value.get("verb") or "")
    if not comment_id:
        raise ParseError("A Page comment change has no comment_id.")
    author = value.get("from") or {}
    text = str(value.get("message") or "")
    if verb == "remove":
        return AuthorEdit(channel=channel, provider_message_id=f"{comment_id}:removed", target_id=comment_id,
                          deleted=True)
    if verb == "edited":
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        return AuthorEdit(channel=channel, provider_message_id=f"{comment_id}:edited:{digest}",
                          target_id=comment_id, text=text)
    if verb != "add":
        return Ignored(channel, f"{comment_id}:{verb}", f"a comment {verb}")
    if str(author.get("id") or "") == owner:
        return Ignored(channel, comment_id, "our own comment (a reply from the desk)")
    post_id, parent_id = str(value.get("post_id") or ""), str(value.get("parent_id") or "")
    top = parent_id if parent_id and parent_id != post_id else comment_id
    return InboundMessage(
        channel=channel, provider_message_id=comment_id,
        sender=_sender(channel, owner, str(author.get("id") or "unknown"), str(author.get("name") or "")),
        contact_name=str(author.get("name") or ""), body_text=text, visible_text=text,
        conversation_key=ids.comment_key(owner, top), visibility=Visibility.PUBLIC, account_id=account_id,
        recipient=owner, sent_at=_when(value.get("created_time")), attributes={"post_id": post_id} if post_id else {},
        permalink=f"https://www.facebook.com/{comment_id}",
    )


def _instagram_comment(owner: str, value: dict[str, Any], account_id: int | None) -> InboundEvent:
    comment_id = str(value.get("id") or "")
    if not comment_id:
        raise ParseError("An Instagram comment change has no id.")
    author = value.get("from") or {}
    if str(author.get("id") or "") == owner:
        return Ignored(Channel.INSTAGRAM, comment_id, "our own comment (a reply from the desk)")
    username = str(author.get("username") or "")
    handle = f"@{username}" if username else ""
    text = str(value.get("text") or "")
    parent_id = str(value.get("parent_id") or "")
    media_id = str((value.get("media") or {}).get("id") or "")
    return InboundMessage(
        channel=Channel.INSTAGRAM, provider_message_id=comment_id,
        sender=_sender(Channel.INSTAGRAM, owner, str(author.get("id") or "unknown"), handle),
        contact_name=handle, body_text=text, visible_text=text,
        conversation_key=ids.comment_key(owner, parent_id or comment_id), visibility=Visibility.PUBLIC,
        account_id=account_id, recipient=owner, attributes={"media_id": media_id} if media_id else {},
    )


def event_id(event: InboundEvent) -> str:
    return str(getattr(event, "provider_message_id", ""))


def event_hash(event: InboundEvent) -> str:
    """The same value as conversations.pipeline.event_hash (a test holds them equal): a message's content hash is
    then the same whether Meta delivered it alone or in a batch."""
    def plain(value: Any) -> str:
        return hashlib.sha256(value).hexdigest() if isinstance(value, bytes) else str(value)

    text = json.dumps(dataclasses.asdict(event), sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()
