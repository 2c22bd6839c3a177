"""One poll of an account's comment threads (commentThreads.list over every video of our channel, newest first).

The cursor kept on the account:
- "watermark": the newest publishedAt seen; paging stops at the first page that reaches it;
- "seen": {comment id: updatedAt} of the latest comments (top-level and replies), so a changed updatedAt is an edit
  and a comment that the API no longer returns (checked now and then by id) was deleted;
- "replies": {thread id: totalReplyCount}, so a thread whose count grew past the replies listed with it has its
  replies fetched (comments.list by parentId);
- "checked_at": when deletions were last looked for;
- "polled_at": when the API was last called: a poll queued twice (a slow worker behind the periodic job) within
  half an interval of the last one makes no call, so a backlog never spends the quota twice.

Every call is counted on the account's daily quota; a poll that would eat into the replies' reserve is skipped
and the next one is put off (quota.poll_seconds).
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.youtube import client, parsing, quota
from civicdesk.channels.pulling import PollResult, PulledPayload

SEEN_LIMIT = 300  # comments remembered for edits and deletions
CHECK_LIMIT = 50  # ids per comments.list call (the API's limit for `id`)
REPLY_THREADS_LIMIT = 5  # threads whose extra replies one poll fetches


@dataclass
class Poll:
    """What one poll gathers: the payloads to store, in order, and the cursor after them."""

    config: Any
    meta: dict[str, Any]
    seen: dict[str, str]
    replies: dict[str, int]
    watermark: str
    since: str
    payloads: list[PulledPayload] = field(default_factory=list)
    newest: str = ""
    grown: list[str] = field(default_factory=list)  # known threads with more replies than listed, and new ones

    def add(self, item: dict[str, Any], event: str = "") -> None:
        meta = {**self.meta, "event": event} if event else dict(self.meta)
        raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()
        self.payloads.append(PulledPayload(raw=raw, provider_message_id=parsing.provider_id(raw, meta), meta=meta))

    def note(self, comment: dict[str, Any]) -> None:
        snippet = comment.get("snippet") or {}
        self.seen[str(comment.get("id"))] = str(snippet.get("updatedAt") or snippet.get("publishedAt") or "")
        published = str(snippet.get("publishedAt") or "")
        if published > self.newest:
            self.newest = published

    def ours(self, comment: dict[str, Any]) -> bool:
        return parsing.author_of(comment.get("snippet") or {}) == self.config.address

    def is_new(self, comment: dict[str, Any]) -> bool:
        published = str((comment.get("snippet") or {}).get("publishedAt") or "")
        return str(comment.get("id")) not in self.seen and published >= self.since  # same second: seen tells

    def edited(self, comment: dict[str, Any]) -> bool:
        snippet = comment.get("snippet") or {}
        before = self.seen.get(str(comment.get("id")))
        updated = str(snippet.get("updatedAt") or "")
        return before is not None and bool(updated) and updated != before

    def comment(self, comment: dict[str, Any]) -> None:
        """A reply met on its own (or a comment met again): new, edited, or nothing to do."""
        if self.ours(comment):
            return
        if self.is_new(comment):
            self.add(comment)
        elif self.edited(comment):
            self.add(comment, parsing.EDITED)
        self.note(comment)

    def thread(self, item: dict[str, Any]) -> None:
        snippet = item.get("snippet") or {}
        top = snippet.get("topLevelComment") or {}
        listed = [r for r in (item.get("replies") or {}).get("comments", []) if isinstance(r, dict)]
        if self.is_new(top) and not self.ours(top):
            self.add(item)  # the thread as returned, with the replies listed in it
            for comment in [top, *listed]:
                self.note(comment)
        else:
            self.comment(top)
            for reply in sorted(listed, key=parsing._published):
                self.comment(reply)
        total = int(snippet.get("totalReplyCount") or 0)
        thread_id = str(item.get("id"))
        if total > len(listed) and total != self.replies.get(thread_id) and thread_id in self.seen:
            self.grown.append(thread_id)  # replies beyond the ones listed: fetched once per change of the count
        self.replies[thread_id] = total


def agency_slug(account_id: int) -> str:
    return str(ChannelAccount.objects.filter(pk=account_id).values_list("agency__slug", flat=True).first() or "")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def poll(config: Any, now: datetime | None = None) -> PollResult:
    now = now or timezone.now()
    cursor = dict(config.cursor or {})
    polled_at = parse_datetime(str(cursor.get("polled_at") or ""))
    gap = float(settings.SOCIAL_POLL_SECONDS) / 2
    if polled_at is not None and timedelta(0) <= now - polled_at < timedelta(seconds=gap):
        return PollResult(cursor=cursor, next_poll_seconds=gap - (now - polled_at).total_seconds())
    left = quota.units_left(config.id, now)
    if not quota.may_poll(left):  # keep the rest for replies; try again when Google resets the quota
        return PollResult(cursor=cursor, next_poll_seconds=quota.poll_seconds(left, at=now))
    watermark = str(cursor.get("watermark") or "")
    backfill = _iso(now - timedelta(hours=settings.YOUTUBE_BACKFILL_HOURS))
    state = Poll(config=config, meta={"channel_id": config.address, "agency_slug": agency_slug(config.id)},
                 seen=dict(cursor.get("seen") or {}), replies=dict(cursor.get("replies") or {}),
                 watermark=watermark, since=watermark or backfill, newest=watermark)
    api = client.service(config)
    _threads(api, config, state)
    for thread_id in state.grown[:REPLY_THREADS_LIMIT]:
        _fetch_replies(api, config, state, thread_id)
    for thread_id in state.grown[REPLY_THREADS_LIMIT:]:  # the next poll fetches them
        state.replies.pop(thread_id, None)
    checked_at = parse_datetime(str(cursor.get("checked_at") or ""))
    if checked_at is None or now - checked_at >= timedelta(seconds=settings.YOUTUBE_DELETION_CHECK_SECONDS):
        if quota.may_poll(quota.units_left(config.id, now)):
            _check_deletions(api, config, state, now)
        checked_at = now
    seen = dict(sorted(state.seen.items(), key=lambda kv: kv[1], reverse=True)[:SEEN_LIMIT])
    replies = {key: value for key, value in state.replies.items() if key in seen}
    cursor = {"watermark": state.newest or watermark or backfill, "seen": seen, "replies": replies,
              "checked_at": checked_at.isoformat(), "polled_at": now.isoformat()}
    left = quota.units_left(config.id, now)
    return PollResult(payloads=state.payloads, cursor=cursor, next_poll_seconds=quota.poll_seconds(left, at=now))


def _threads(api: Any, config: Any, state: Poll) -> None:
    """Pages of the channel's threads, newest first, until one reaches what the last poll saw (or the page cap)."""
    found: list[dict[str, Any]] = []
    token: str | None = None
    for _page in range(max(1, settings.YOUTUBE_MAX_PAGES)):
        request = api.commentThreads().list(
            part="snippet,replies", allThreadsRelatedToChannelId=config.address, order="time", maxResults=100,
            textFormat="plainText", pageToken=token)
        response = client.execute(request, config.id, "commentThreads.list")
        items = [item for item in response.get("items", []) if isinstance(item, dict)]
        found.extend(items)
        token = response.get("nextPageToken") or None
        oldest = min((_top_published(item) for item in items), default="")
        if not token or (oldest and oldest < state.since):
            break
    for item in reversed(found):  # oldest first: conversations read in order
        state.thread(item)


def _top_published(item: dict[str, Any]) -> str:
    top = ((item.get("snippet") or {}).get("topLevelComment") or {}).get("snippet") or {}
    return str(top.get("publishedAt") or "")


def _fetch_replies(api: Any, config: Any, state: Poll, thread_id: str) -> None:
    request = api.comments().list(part="snippet", parentId=thread_id, maxResults=100, textFormat="plainText")
    response = client.execute(request, config.id, "comments.list")
    for reply in sorted((r for r in response.get("items", []) if isinstance(r, dict)), key=parsing._published):
        reply.setdefault("snippet", {}).setdefault("parentId", thread_id)
        state.comment(reply)


def _check_deletions(api: Any, config: Any, state: Poll, now: datetime) -> None:
    """Look up the latest comments we saw by id: one the API no longer returns was deleted by its author (or
    removed by YouTube); one whose updatedAt moved was edited."""
    recent = [cid for cid, _ in sorted(state.seen.items(), key=lambda kv: kv[1], reverse=True)[:CHECK_LIMIT]]
    if not recent:
        return
    request = api.comments().list(part="snippet", id=",".join(recent), textFormat="plainText")
    response = client.execute(request, config.id, "comments.list")
    returned = {str(item.get("id")): item for item in response.get("items", []) if isinstance(item, dict)}
    for cid in recent:
        item = returned.get(cid)
        if item is None:
            state.add({"kind": parsing.GONE, "id": cid, "checkedAt": _iso(now)})
            state.seen.pop(cid, None)
        elif state.edited(item) and not state.ours(item):
            state.add(item, parsing.EDITED)
            state.note(item)
