"""YouTube payloads as stored by the poll, into events. Each payload is what the API returned, unchanged:

- a `youtube#commentThread` (a new top-level comment on one of our videos, with the replies the API included):
  a public message per comment, all on the thread's conversation (its key is the thread id, which is also the
  top-level comment's id and the parentId our replies name);
- a `youtube#comment` (a reply to a thread, from `replies.comments` or comments.list): a message on its thread's
  conversation; with meta["event"] == "edited", the author's new text (an AuthorEdit);
- a `youtube#commentThreadListResponse` (a whole page, as an admin may replay one): every thread in it;
- `civicdesk#youtubeCommentGone`, the one record of our own making (the API says nothing when a comment is deleted;
  the poll notices that a comment it saw is no longer returned): an AuthorEdit with deleted=True.

Comments by our own channel (the agency's replies) are Ignored: we sent them. meta carries the account ("account_id",
"agency_slug") and our channel id ("channel_id"), written by the poll.
"""

import html
import json
import re
from datetime import datetime
from typing import Any

import nh3
from django.utils.dateparse import parse_datetime

from civicdesk.channels.events import AuthorEdit, Ignored, InboundEvent, InboundMessage, SenderIdentity, Visibility
from civicdesk.channels.models import Channel
from civicdesk.channels.protocol import ParseError

THREAD = "youtube#commentThread"
COMMENT = "youtube#comment"
THREAD_PAGE = "youtube#commentThreadListResponse"
GONE = "civicdesk#youtubeCommentGone"
YOUTUBE_IDENTITY = "youtube"  # contacts' IdentityKind.YOUTUBE (the channel layer imports nothing from contacts)
EDITED = "edited"
COMMENT_ID = re.compile(r"[A-Za-z0-9_.\-]{8,200}")
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|#39|#\d{2,5});")


def load(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError("The YouTube payload is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ParseError("The YouTube payload is not a JSON object.")
    return data


def comment_id(value: Any, what: str = "comment") -> str:
    text = str(value or "").strip()
    if not COMMENT_ID.fullmatch(text):
        raise ParseError(f"The YouTube {what} has no valid id.")
    return text


def snippet_of(item: Any, key: str = "snippet") -> dict[str, Any]:
    """An object's dict member (its snippet), or {} when it has none."""
    found = item.get(key) if isinstance(item, dict) else None
    return found if isinstance(found, dict) else {}


def text_of(snippet: dict[str, Any]) -> str:
    """The comment's own text (textOriginal), else its display text as plain text (the poll asks for plainText;
    an HTML one has its tags removed)."""
    original = snippet.get("textOriginal")
    if isinstance(original, str) and original:
        return original
    shown = str(snippet.get("textDisplay") or "")
    if "<" in shown or ENTITY.search(shown):  # textFormat=html (the API's default)
        shown = html.unescape(nh3.clean(BREAK.sub("\n", shown), tags=set()))
    return shown


def author_of(snippet: dict[str, Any]) -> str:
    found = snippet.get("authorChannelId")
    value = found.get("value") if isinstance(found, dict) else found
    return str(value or "").strip()


def at(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def permalink(video_id: str, cid: str) -> str:
    return f"https://www.youtube.com/watch?v={video_id}&lc={cid}" if video_id else ""


def message_of(comment: dict[str, Any], thread_id: str, meta: dict[str, Any], video_id: str = "") -> InboundEvent:
    """One comment (top-level or reply) as a public message on its thread's conversation."""
    if not isinstance(comment, dict) or not isinstance(comment.get("snippet"), dict):
        raise ParseError("A YouTube comment has no snippet.")
    cid = comment_id(comment.get("id"))
    snippet = comment["snippet"]
    author = author_of(snippet)
    ours = str(meta.get("channel_id") or "")
    if ours and author == ours:
        return Ignored(channel=Channel.YOUTUBE, provider_message_id=cid, reason="Our own comment")
    if snippet.get("moderationStatus") == "rejected":
        return Ignored(channel=Channel.YOUTUBE, provider_message_id=cid, reason="Rejected by the channel")
    video = str(snippet.get("videoId") or video_id or "")
    name = str(snippet.get("authorDisplayName") or "").strip()[:200]
    attributes = {key: str(snippet[source]) for key, source in (("video_id", "videoId"),
                                                                 ("moderation_status", "moderationStatus"))
                  if snippet.get(source)}
    if not attributes.get("video_id") and video:
        attributes["video_id"] = video
    account_id = meta.get("account_id")
    return InboundMessage(
        channel=Channel.YOUTUBE, provider_message_id=cid,
        sender=SenderIdentity(YOUTUBE_IDENTITY, author, display_name=name) if author else None,
        contact_name=name, body_text=text_of(snippet), conversation_key=thread_id,
        visibility=Visibility.PUBLIC, account_id=account_id if isinstance(account_id, int) else None,
        agency_slug=str(meta.get("agency_slug") or ""), sent_at=at(snippet.get("publishedAt")),
        permalink=permalink(video, cid), attributes=attributes, recipient=ours,
    )


def thread_events(item: dict[str, Any], meta: dict[str, Any]) -> list[InboundEvent]:
    snippet = item.get("snippet")
    if not isinstance(snippet, dict) or not isinstance(snippet.get("topLevelComment"), dict):
        raise ParseError("The YouTube comment thread has no top-level comment.")
    thread_id = comment_id(item.get("id"), "comment thread")
    video = str(snippet.get("videoId") or "")
    events = [message_of(snippet["topLevelComment"], thread_id, meta, video)]
    replies = item.get("replies", {}).get("comments", []) if isinstance(item.get("replies"), dict) else []
    # the API lists replies newest first; the conversation reads oldest first
    for reply in sorted((r for r in replies if isinstance(r, dict)), key=_published):
        events.append(message_of(reply, thread_id, meta, video))
    return events


def _published(comment: dict[str, Any]) -> str:
    snippet = comment.get("snippet")
    return str(snippet.get("publishedAt") or "") if isinstance(snippet, dict) else ""


def thread_of(comment: dict[str, Any]) -> str:
    """A comment's thread: its parentId for a reply, its own id for a top-level comment."""
    return comment_id(snippet_of(comment).get("parentId") or comment.get("id"))


def edited_id(comment: dict[str, Any]) -> str:
    return f"{comment_id(comment.get('id'))}:edited:{snippet_of(comment).get('updatedAt') or ''}"


def comment_events(item: dict[str, Any], meta: dict[str, Any]) -> list[InboundEvent]:
    if meta.get("event") == EDITED:
        cid = comment_id(item.get("id"))
        snippet = snippet_of(item)
        if meta.get("channel_id") and author_of(snippet) == meta["channel_id"]:
            return [Ignored(channel=Channel.YOUTUBE, provider_message_id=edited_id(item), reason="Our own edit")]
        return [AuthorEdit(channel=Channel.YOUTUBE, provider_message_id=edited_id(item), target_id=cid,
                           text=text_of(snippet))]
    return [message_of(item, thread_of(item), meta)]


def gone_events(item: dict[str, Any]) -> list[InboundEvent]:
    cid = comment_id(item.get("id"))
    return [AuthorEdit(channel=Channel.YOUTUBE, provider_message_id=f"{cid}:deleted", target_id=cid, deleted=True)]


def events(raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
    data = load(raw)
    kind = data.get("kind")
    if kind == THREAD:
        return thread_events(data, meta)
    if kind == COMMENT:
        return comment_events(data, meta)
    if kind == GONE:
        return gone_events(data)
    if kind == THREAD_PAGE:
        items = data.get("items")
        if not isinstance(items, list):
            raise ParseError("The YouTube comment thread page has no items.")
        return [event for item in items if isinstance(item, dict) for event in thread_events(item, meta)]
    raise ParseError(f"The YouTube payload kind {str(kind)[:60]!r} is not a comment or a comment thread.")


def provider_id(raw: bytes, meta: dict[str, Any]) -> str:
    """The comment's id (a thread's is its top-level comment's); an edit's and a deletion's are their own."""
    data = load(raw)
    kind = data.get("kind")
    if kind == THREAD:
        return comment_id(data.get("id"), "comment thread")
    if kind == COMMENT:
        return edited_id(data) if meta.get("event") == EDITED else comment_id(data.get("id"))
    if kind == GONE:
        return f"{comment_id(data.get('id'))}:deleted"
    return ""


def stable_content(raw: bytes, meta: dict[str, Any]) -> str:
    """What makes two fetches of one comment the same: its ids, text and times, not its like count or the replies
    listed with it (a thread fetched again with a new reply is the same top-level comment)."""
    data = load(raw)
    if data.get("kind") == THREAD:
        top = snippet_of(snippet_of(data), "topLevelComment")
        data = {"kind": THREAD, "id": data.get("id"), "top": _comment_facts(top)}
    elif data.get("kind") == COMMENT:
        data = {"kind": COMMENT, "event": meta.get("event", ""), **_comment_facts(data)}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def _comment_facts(comment: dict[str, Any]) -> dict[str, Any]:
    snippet = snippet_of(comment)
    return {"id": comment.get("id"), "text": text_of(snippet), "author": author_of(snippet),
            "parent": snippet.get("parentId"), "published": snippet.get("publishedAt"),
            "updated": snippet.get("updatedAt")}
