"""Polling and chat against a small local XRPC server (xrpc_server.py) driven by the `atproto` SDK: the cursor's
high-water mark (nothing missed, nothing twice, a burst read over several polls), a 429 pausing the account, and
direct messages in and out through the chat proxy, which the dev-env does not have."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels import limits
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.bluesky import polling, session
from civicdesk.channels.providers.bluesky.actions import connect_bluesky_account
from civicdesk.channels.providers.bluesky.tests.xrpc_server import CHAT_PROXY, State, running_xrpc
from civicdesk.channels.registry import AccountConfig
from civicdesk.channels.tasks import poll_account
from civicdesk.conversations.replies import reply
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db
OURS = "did:plc:c2h5n7wzq3rdxvfsg4k6pmly"
RESIDENT = "did:plc:m4rbaq7vdx2kjw5nbe6tyhzu"
PASSWORD = "abcd-efgh-ijkl-mnop"


def stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def notification(n: int, at: datetime, reason: str = "mention", text: str = "") -> dict[str, Any]:
    uri = f"at://{RESIDENT}/app.bsky.feed.post/3mfx{n:09d}".replace("0", "a").replace("1", "b")
    return {"uri": uri, "cid": f"bafyrei{n:040d}".replace("0", "q").replace("1", "b"), "reason": reason,
            "author": {"did": RESIDENT, "handle": "maria.riverbend.example", "labels": []},
            "record": {"$type": "app.bsky.feed.post", "text": text or f"@city311.test report number {n}",
                       "createdAt": stamp(at)},
            "isRead": False, "indexedAt": stamp(at), "labels": []}


@pytest.fixture
def xrpc(settings: Any) -> Iterator[tuple[State, str]]:
    state = State(did=OURS, handle="city311.test", password=PASSWORD)
    with running_xrpc(state) as url:
        settings.BLUESKY_CHAT_URL = url
        yield state, url


@pytest.fixture
def account(xrpc: tuple[State, str]) -> Iterator[ChannelAccount]:
    made = connect_bluesky_account(agency=create_agency("public-works", "Public Works"), handle="city311.test",
                                   app_password=PASSWORD, service=xrpc[1])
    made.cursor = {"since": stamp(datetime.now(UTC) - timedelta(hours=1))}
    made.save(update_fields=["cursor"])
    yield made
    session.forget(made)


def newest_first(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item["indexedAt"], reverse=True)


def show(state: State, items: list[dict[str, Any]]) -> None:
    """The AppView lists these notifications (newest first) and still has each post (getPosts returns it)."""
    state.notifications = items
    for item in items:
        state.posts[item["uri"]] = {key: item[key] for key in ("uri", "cid", "author", "record", "indexedAt")}


def test_new_mentions_become_cases_oldest_first_and_are_marked_seen(
        account: ChannelAccount, xrpc: tuple[State, str], django_capture_on_commit_callbacks: Any) -> None:
    state, _ = xrpc
    now = datetime.now(UTC)
    show(state, newest_first(notification(1, now - timedelta(minutes=5)), notification(2, now - timedelta(minutes=1)),
                             notification(3, now - timedelta(minutes=3), reason="like")))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 2
    bodies = list(Message.objects.filter(direction=Direction.INBOUND).order_by("pk").values_list("body_text",
                                                                                                 flat=True))
    assert bodies == ["@city311.test report number 1", "@city311.test report number 2"]
    seen = [args for nsid, args, _ in state.requests if nsid == "app.bsky.notification.updateSeen"]
    assert seen and seen[-1]["seenAt"] == state.notifications[0]["indexedAt"]
    listed = [args for nsid, args, _ in state.requests if nsid == "app.bsky.notification.listNotifications"]
    assert listed[0]["reasons"] == ["mention", "reply", "quote"]


def test_a_second_poll_stores_nothing_twice_and_finds_only_the_new_one(
        account: ChannelAccount, xrpc: tuple[State, str], django_capture_on_commit_callbacks: Any) -> None:
    state, _ = xrpc
    now = datetime.now(UTC)
    first = notification(1, now - timedelta(minutes=2))
    show(state, [first])
    with django_capture_on_commit_callbacks(execute=True):
        poll_account.call(account.pk)
    late = notification(2, now - timedelta(minutes=4))  # sorts below the mark: its author's clock was behind
    show(state, newest_first(first, late, notification(3, now)))
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 2
        assert poll_account.call(account.pk) == 0
    assert InboundPayload.objects.count() == 3
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 3


def test_what_was_written_before_the_account_was_connected_is_not_a_case(
        account: ChannelAccount, xrpc: tuple[State, str]) -> None:
    state, _ = xrpc
    show(state, [notification(1, datetime.now(UTC) - timedelta(hours=2))])
    assert poll_account.call(account.pk) == 0


def test_a_burst_larger_than_one_poll_is_read_by_the_next_polls_without_a_gap(
        account: ChannelAccount, xrpc: tuple[State, str]) -> None:
    state, _ = xrpc
    now = datetime.now(UTC)
    count = polling.MAX_PAGES * polling.PAGE_SIZE + 120
    show(state, newest_first(*(notification(n, now - timedelta(seconds=count - n)) for n in range(count))))
    assert poll_account.call(account.pk) == polling.MAX_PAGES * polling.PAGE_SIZE
    account.refresh_from_db()
    assert account.cursor["resume"]["page"]
    show(state, [notification(count, now + timedelta(seconds=1)), *state.notifications])  # new during the backlog
    assert poll_account.call(account.pk) == 120
    assert poll_account.call(account.pk) == 1
    assert poll_account.call(account.pk) == 0
    assert InboundPayload.objects.count() == count + 1


def test_a_429_pauses_the_account_and_its_rate_limit_is_shown(
        account: ChannelAccount, xrpc: tuple[State, str]) -> None:
    state, _ = xrpc
    show(state, [notification(1, datetime.now(UTC))])
    poll_account.call(account.pk)  # logs in and notes the headers
    account.refresh_from_db()
    assert "2990 of 3000 calls left" in limits.describe(account)
    state.refuse_next = 1
    poll_account.call(account.pk)
    assert limits.paused_until(account.pk) is not None


def test_a_refused_app_password_is_noted_on_the_account(xrpc: tuple[State, str]) -> None:
    made = connect_bluesky_account(agency=create_agency(), handle="city311.test", app_password="wxyz-wxyz-wxyz-wxyz",
                                   service=xrpc[1])
    poll_account.call(made.pk)
    made.refresh_from_db()
    assert "refused the handle or app password" in made.last_error


def test_chat_messages_come_in_by_the_log_cursor_through_the_chat_proxy(
        account: ChannelAccount, xrpc: tuple[State, str], django_capture_on_commit_callbacks: Any) -> None:
    state, _ = xrpc
    now = datetime.now(UTC)
    state.logs = [
        {"$type": "chat.bsky.convo.defs#logCreateMessage", "convoId": "convo9", "rev": "r1",
         "message": {"id": "m1", "rev": "r1", "text": "Missed recycling at 14 Willow Ct", "sender": {"did": RESIDENT},
                     "sentAt": stamp(now)},
         "relatedProfiles": [{"did": RESIDENT, "handle": "maria.riverbend.example"}]},
        {"$type": "chat.bsky.convo.defs#logCreateMessage", "convoId": "convo9", "rev": "r2",
         "message": {"id": "m2", "rev": "r2", "text": "Logged, thanks", "sender": {"did": OURS},
                     "sentAt": stamp(now)}},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert poll_account.call(account.pk) == 1  # our own message is left out
        assert poll_account.call(account.pk) == 0
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.provider_message_id == "chat:convo9:m1" and message.case is not None
    chat_calls = [headers for nsid, _, headers in state.requests if nsid.startswith("chat.bsky.")]
    assert chat_calls and all(h["atproto-proxy"] == CHAT_PROXY and h["authorization"].startswith("Bearer ")
                              for h in chat_calls)
    assert [args for nsid, args, _ in state.requests if nsid == "chat.bsky.convo.getLog"][-1] == {"cursor": "2"}

    agent = create_staff("wanda", agencies=[account.agency])
    state.convos[RESIDENT] = "convo9"
    with django_capture_on_commit_callbacks(execute=True):
        sent = reply(message.case, author=agent, text="A truck comes back tomorrow morning.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT, sent.delivery_error
    assert state.sent[-1]["convoId"] == "convo9" and state.sent[-1]["text"] == "A truck comes back tomorrow morning."
    assert sent.provider_message_id == f"chat:convo9:{state.sent[-1]['id']}"


def test_a_private_reply_to_a_resident_who_refuses_messages_fails_in_plain_words(
        account: ChannelAccount, xrpc: tuple[State, str]) -> None:
    from civicdesk.channels.outbound import OutboundMessage
    from civicdesk.channels.protocol import PermanentSendError
    from civicdesk.channels.providers.bluesky.adapter import BlueskyAdapter

    outbound = OutboundMessage(to=RESIDENT, sender="city311.test", text="Can you tell us the address?")
    with pytest.raises(PermanentSendError, match="does not accept direct messages"):
        BlueskyAdapter().send(outbound, AccountConfig.of(account))
    xrpc[0].accepts_chat.add(RESIDENT)
    assert BlueskyAdapter().send(outbound, AccountConfig.of(account)).startswith("chat:convo1:")


def test_an_app_password_without_direct_messages_still_polls_mentions(
        account: ChannelAccount, xrpc: tuple[State, str]) -> None:
    state, _ = xrpc
    state.chat_scope_refused = True
    show(state, [notification(1, datetime.now(UTC))])
    assert poll_account.call(account.pk) == 1
    account.refresh_from_db()
    assert "Bad token scope" in account.cursor["chat_error"]
    assert "Direct messages cannot be read" in account.last_error


def test_a_retried_reply_already_on_the_pds_is_not_posted_twice(
        account: ChannelAccount, xrpc: tuple[State, str], django_capture_on_commit_callbacks: Any) -> None:
    state, _ = xrpc
    mention = notification(1, datetime.now(UTC))
    show(state, [mention])
    with django_capture_on_commit_callbacks(execute=True):
        poll_account.call(account.pk)
    case = Case.objects.get()
    posted = len(state.records)  # the acknowledgement
    agent = create_staff("wanda", agencies=[account.agency])
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(case, author=agent, text="On our list for Friday.")
    from civicdesk.channels.providers.bluesky.adapter import BlueskyAdapter
    from civicdesk.conversations.outbound import outbound_for

    again = BlueskyAdapter().send(outbound_for(first, account), AccountConfig.of(account))  # a retry after a timeout
    first.refresh_from_db()
    assert again == first.provider_message_id
    assert len(state.records) == posted + 1
    record = state.records[-1]["value"]
    assert record["reply"]["parent"] == {"$type": "com.atproto.repo.strongRef", "uri": mention["uri"],
                                         "cid": mention["cid"]} or record["reply"]["parent"]["uri"] == mention["uri"]
    assert record["facets"][0]["features"][0]["did"] == RESIDENT
