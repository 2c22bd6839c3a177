"""One poll of a Bluesky account: new mentions, replies and quotes, deleted posts, and new chat messages.

Notifications (app.bsky.notification.listNotifications) come newest first and page backwards; there is no "since".
The account's cursor keeps a high-water mark (the newest `indexedAt` stored) and the URIs stored in the OVERLAP
before it. A poll pages down to the mark less OVERLAP, leaving out the URIs it already stored: nothing between two
polls is missed, nothing is stored twice (the store also deduplicates by URI and CID). The overlap is there because
the AppView's `indexedAt` is the earlier of the record's own `createdAt` and the time it indexed it, so a post whose
author's clock runs a little behind sorts below the mark. When more than MAX_PAGES pages are new (a burst), the rest
is a backlog ("resume"): the next polls page on from where this one stopped, down to the same floor, before looking
at the top again. After a poll the notifications are marked seen up to the newest stored (updateSeen), so the
Bluesky app shows them read: the desk has them. Our cursor, not isRead or seenAt, decides what is new.

Deletions and edits: getPosts no longer returns a deleted post (and the AppView drops its notification). The posts
received in the last WATCH_DAYS (at most WATCH_MAX) are asked again at each poll; each one missing becomes a
deletion, each one with another CID (its record was put again) an edit. A post removed by moderation, or hidden
from us by a block, looks deleted: it is removed from view too. A deletion is seen within one polling interval.

Chat (chat.bsky.convo.getLog) is read with its own cursor (the log's rev) when the account allows it; an app
password made without access to direct messages is refused by the chat service, and the poll goes on without it.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from atproto_client import models
from atproto_client.exceptions import RequestErrorBase, UnauthorizedError
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from civicdesk.channels.actions import note_error
from civicdesk.channels.protocol import RateLimited
from civicdesk.channels.providers.bluesky import session
from civicdesk.channels.providers.bluesky.parsing import MESSAGE_REASONS, obj
from civicdesk.channels.pulling import PollResult, PulledPayload

MAX_PAGES = 10  # pages of 50 notifications read by one poll (the rest is read by the next polls)
PAGE_SIZE = 50
OVERLAP = timedelta(minutes=10)  # indexedAt is the earlier of the record's createdAt and the indexing time
RECENT_MAX = 1000
WATCH_DAYS = 7
WATCH_MAX = 50
GET_POSTS_MAX = 25  # app.bsky.feed.getPosts takes at most 25 URIs
SCHEDULER_TICK = 5  # settings.PERIODIC_TASKS runs channels.tasks.poll_due_accounts every 5 s


def _time(value: Any) -> datetime:
    found = parse_datetime(str(value)) if value else None
    if found is None:
        return datetime.min.replace(tzinfo=UTC)
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _dump(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _call(client: Any, config: Any, nsid: str, params: Any) -> dict[str, Any]:
    """One XRPC query through the SDK (its session refreshed as needed); the JSON body as the network gave it."""
    try:
        response = client.invoke_query(nsid, params=params)
    except RequestErrorBase as exc:
        session.note_limits(config.id, exc.response)
        wait = session.retry_after(exc)
        if wait is not None:
            raise RateLimited(wait, f"{nsid} is rate limited.") from None
        if isinstance(exc, UnauthorizedError):
            session.forget(config)  # an expired or revoked session: log in again next time
        raise
    session.note_limits(config.id, response)
    return response.content if isinstance(response.content, dict) else {}


def _collect(client: Any, config: Any, start: str | None, floor: datetime | None,
             skip: set[str]) -> tuple[list[dict[str, Any]], str | None]:
    """Notifications from page `start` down to `floor` (newest first), leaving out the URIs in `skip`; the page
    cursor where it stopped when MAX_PAGES were read before reaching the floor (None: reached)."""
    found: list[dict[str, Any]] = []
    page = start
    for _ in range(MAX_PAGES):
        params = models.AppBskyNotificationListNotifications.Params(
            limit=PAGE_SIZE, reasons=list(MESSAGE_REASONS), cursor=page or None)
        body = _call(client, config, "app.bsky.notification.listNotifications", params)
        items = [item for item in body.get("notifications") or [] if isinstance(item, dict)]
        for item in items:
            if floor is not None and _time(item.get("indexedAt")) < floor:
                return found, None
            if str(item.get("uri") or "") not in skip:
                found.append(item)
        page = body.get("cursor")
        if not items or not page:
            return found, None
    return found, page


def _notifications(client: Any, config: Any, cursor: dict[str, Any], did: str,
                   handle: str) -> list[PulledPayload]:
    mark = _time(cursor.get("mark"))
    recent = [pair for pair in cursor.get("recent") or [] if isinstance(pair, list) and len(pair) == 2]
    skip = {uri for uri, _ in recent}
    resume = cursor.pop("resume", None)
    if isinstance(resume, dict):  # a backlog first: from where the last poll stopped down to its floor
        items, more = _collect(client, config, resume.get("page"), _time(resume.get("floor")),
                               set(resume.get("skip") or []))
        if more:
            cursor["resume"] = {**resume, "page": more}
    else:
        floor = max(mark - OVERLAP, _time(cursor.get("since")))  # nothing from before the account was connected
        items, more = _collect(client, config, None, floor, skip)
        if more:
            cursor["resume"] = {"page": more, "floor": floor.isoformat(), "skip": sorted(skip)}
    newest = max([mark, *(_time(item.get("indexedAt")) for item in items)])
    recent += [[str(item.get("uri") or ""), str(item.get("indexedAt") or "")] for item in items]
    cursor["mark"] = newest.isoformat()
    cursor["recent"] = [pair for pair in recent if _time(pair[1]) >= newest - OVERLAP][-RECENT_MAX:]
    meta = {"account_did": did, "account_handle": handle}
    pulled = []
    for item in reversed(items):  # oldest first: cases are made in the order people wrote
        if item.get("reason") not in MESSAGE_REASONS or (item.get("author") or {}).get("did") == did:
            continue
        _watch(cursor, str(item.get("uri") or ""), str(item.get("cid") or ""), item.get("indexedAt"))
        pulled.append(PulledPayload(raw=_dump({"listNotifications": {"notifications": [item]}}),
                                    provider_message_id=str(item.get("uri") or ""), meta=meta))
    if items:
        _mark_seen(client, config, max(str(i.get("indexedAt") or "") for i in items))
    return pulled


def _mark_seen(client: Any, config: Any, seen_at: str) -> None:
    try:
        client.app.bsky.notification.update_seen(models.AppBskyNotificationUpdateSeen.Data(seen_at=seen_at))
    except RequestErrorBase as exc:  # only the Bluesky app's unread badge depends on it
        session.note_limits(config.id, exc.response)


def _watch(cursor: dict[str, Any], uri: str, cid: str, indexed_at: Any) -> None:
    if not uri:
        return
    watched = [entry for entry in cursor.get("watch") or [] if isinstance(entry, list) and entry and entry[0] != uri]
    watched.append([uri, cid, str(indexed_at or "")])
    cursor["watch"] = watched[-WATCH_MAX:]


def _checks(client: Any, config: Any, cursor: dict[str, Any], did: str, now: datetime) -> list[PulledPayload]:
    """Posts we hold, asked again with getPosts: one payload for each missing (deleted) or rewritten (new CID) one,
    shaped as getPosts answers for it; the rest stay watched until WATCH_DAYS have passed."""
    since = now - timedelta(days=WATCH_DAYS)
    watched = [entry for entry in cursor.get("watch") or [] if isinstance(entry, list) and len(entry) == 3
               and _time(entry[2]) >= since]
    pulled, kept = [], []
    for start in range(0, len(watched), GET_POSTS_MAX):
        chunk = watched[start:start + GET_POSTS_MAX]
        body = _call(client, config, "app.bsky.feed.getPosts",
                     models.AppBskyFeedGetPosts.Params(uris=[uri for uri, _, _ in chunk]))
        present = {str(post.get("uri")): post for post in body.get("posts") or [] if isinstance(post, dict)}
        for uri, cid, indexed_at in chunk:
            post = present.get(uri)
            meta = {"account_did": did, "known_cids": {uri: cid}}
            if post is None:
                pulled.append(PulledPayload(raw=_dump({"getPosts": {"uris": [uri], "posts": []}}),
                                            provider_message_id=f"deleted:{uri}", meta=meta))
                continue
            if post.get("cid") and post.get("cid") != cid:
                pulled.append(PulledPayload(raw=_dump({"getPosts": {"uris": [uri], "posts": [post]}}),
                                            provider_message_id=f"edited:{uri}:{post['cid']}", meta=meta))
                cid = str(post["cid"])
            kept.append([uri, cid, indexed_at])
    cursor["watch"] = kept
    return pulled


def _chat(config: Any, cursor: dict[str, Any], did: str) -> list[PulledPayload]:
    """New chat log entries since the log cursor (the first poll only sets it, and keeps messages sent after the
    account was connected)."""
    if not settings.BLUESKY_CHAT_ENABLED or cursor.get("chat") == "off":
        return []
    client = session.chat_client(config)
    pulled: list[PulledPayload] = []
    since = _time(cursor.get("since")) if cursor.get("since") else None
    rev = cursor.get("chat_rev")
    try:
        for _ in range(MAX_PAGES):
            params = models.ChatBskyConvoGetLog.Params(cursor=rev or None)
            body = _call(client, config, "chat.bsky.convo.getLog", params)
            logs = [entry for entry in body.get("logs") or [] if isinstance(entry, dict)]
            for entry in logs:
                message = obj(entry.get("message"))
                if entry.get("$type") != "chat.bsky.convo.defs#logCreateMessage":
                    continue
                if (message.get("sender") or {}).get("did") == did:
                    continue
                if not rev and since is not None and _time(message.get("sentAt")) < since:
                    continue
                pulled.append(PulledPayload(
                    raw=_dump({"getLog": {"logs": [entry]}}),
                    provider_message_id=f"chat:{entry.get('convoId')}:{message.get('id')}",
                    meta={"account_did": did}))
            next_rev = body.get("cursor") or (logs[-1].get("rev") if logs else None)
            if not logs or not next_rev or next_rev == rev:
                break
            rev = next_rev
    except RateLimited:
        raise
    except RequestErrorBase as exc:  # mentions are still polled; the account's health says why chat is not
        if not cursor.get("chat_error"):
            note_error(config.id, gettext("Direct messages cannot be read (%(error)s): the app password may lack "
                                          "access to direct messages.") % {"error": str(exc)[:150]})
        cursor["chat_error"] = str(exc)[:200]
        return pulled
    cursor.pop("chat_error", None)
    if rev:
        cursor["chat_rev"] = rev
    return pulled


def poll(config: Any) -> PollResult:
    """Everything new on the account since its cursor, and the cursor to keep."""
    client = session.client_for(config)
    did = session.account_did(client)
    cursor = dict(config.cursor or {})
    now = datetime.now(UTC)
    cursor.setdefault("since", now.isoformat())
    cursor.setdefault("mark", cursor["since"])  # the first poll: what was indexed after connecting is new
    handle = str(getattr(config, "address", ""))
    pulled = _notifications(client, config, cursor, did, handle)
    pulled += _checks(client, config, cursor, did, now)
    pulled += _chat(config, cursor, did)
    cursor["did"] = did
    # The scheduler looks for due accounts every SCHEDULER_TICK seconds: asking for one tick less than the interval
    # keeps the gap between two polls (and so a mention's wait for a case) within SOCIAL_POLL_SECONDS.
    gap = max(float(SCHEDULER_TICK), float(settings.SOCIAL_POLL_SECONDS) - SCHEDULER_TICK)
    return PollResult(payloads=pulled, cursor=cursor, next_poll_seconds=gap)
