"""Meta's webhooks through the one entry: the verification GET, signatures over the raw bytes before anything is
stored, a batch stored once and applied as one event per item, retries and re-batching applied once."""

import json
from typing import Any

import pytest
from django.test import Client

from civicdesk.cases.models import Case, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, RejectionReason, WebhookRejection
from civicdesk.channels.providers.meta import parsing
from civicdesk.channels.providers.meta.simulation import payload
from civicdesk.channels.providers.meta.tests.conftest import (
    PAGE_ID,
    VERIFY_TOKEN,
    latest_payload,
    post_webhook,
)
from civicdesk.contacts.models import Identity
from civicdesk.conversations import pipeline
from civicdesk.conversations.models import Conversation

pytestmark = pytest.mark.django_db


def dm(text: str, user: str, unique: str, ms: int = 1_780_000_000_000) -> dict[str, Any]:
    return payload(Channel.FACEBOOK, PAGE_ID, text, "message", user_id=user, unique=unique, now_ms=ms)


def batch(*documents: dict[str, Any], time: int = 1_780_000_000_500) -> dict[str, Any]:
    entries = [entry for document in documents for entry in document["entry"]]
    for entry in entries:
        entry["time"] = time
    return {"object": documents[0]["object"], "entry": entries}


def process_all() -> None:
    for stored in InboundPayload.objects.filter(status="received").order_by("pk"):
        pipeline.process(stored)


def test_the_verification_get_echoes_the_challenge_only_with_our_verify_token(page: ChannelAccount) -> None:
    client = Client()
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    answer = client.get(f"/hooks/meta/{page.pk}/", query)
    assert answer.status_code == 200 and answer.content == b"1158201444"
    assert client.get(f"/hooks/meta/{page.pk}/", {**query, "hub.verify_token": "guess"}).status_code == 403
    assert client.get(f"/hooks/meta/{page.pk}/", {**query, "hub.mode": "unsubscribe"}).status_code == 403
    assert client.get(f"/hooks/meta/{page.pk}/", {**query, "hub.challenge": "<script>"}).status_code == 403
    assert WebhookRejection.objects.get(account=page, reason=RejectionReason.BAD_CHALLENGE).count == 3


def test_a_forged_or_unsigned_post_is_refused_before_anything_is_stored(page: ChannelAccount) -> None:
    client = Client()
    assert post_webhook(client, page, dm("Pothole", "61", "a"), secret="not-the-app-secret").status_code == 403
    body = json.dumps(dm("Pothole", "61", "a")).encode()
    unsigned = client.post(f"/hooks/meta/{page.pk}/", data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert not InboundPayload.objects.exists()
    assert WebhookRejection.objects.get(account=page, reason=RejectionReason.BAD_SIGNATURE).count == 1


def test_a_batch_is_one_payload_and_each_item_one_message_on_its_own_case(page: ChannelAccount) -> None:
    client = Client()
    document = batch(dm("Streetlight out on Elm", "61", "a"), dm("Graffiti on the bridge", "62", "b"),
                     payload(Channel.FACEBOOK, PAGE_ID, "Overflowing bin at the park", "comment", user_id="63",
                             unique="c", now_ms=1_780_000_000_000))
    assert post_webhook(client, page, document).status_code == 200
    assert post_webhook(client, page, document).status_code == 200  # Meta's retry of the same delivery
    assert InboundPayload.objects.count() == 1
    stored = latest_payload()
    assert stored.provider_message_id.startswith("batch:")
    process_all()
    assert Message.objects.filter(direction="in").count() == 3
    assert Case.objects.count() == 3
    assert set(Identity.objects.filter(kind="facebook").values_list("value", flat=True)) == {
        f"{PAGE_ID}:61", f"{PAGE_ID}:62", f"{PAGE_ID}:63"}
    comment = Conversation.objects.get(thread_key__contains=":comment:")
    assert comment.visibility == "public" and comment.account_id == page.pk
    assert Conversation.objects.get(thread_key=f"{PAGE_ID}:dm:61").visibility == "private"


def test_an_event_delivered_alone_and_again_in_another_batch_is_one_message(page: ChannelAccount) -> None:
    client = Client()
    first = dm("Tree down on Oak Street", "61", "a")
    post_webhook(client, page, first)
    process_all()
    again = batch(dm("Tree down on Oak Street", "61", "a"), dm("And a second one", "61", "b"),
                  time=1_780_000_099_999)
    post_webhook(client, page, again)
    process_all()
    assert InboundPayload.objects.count() == 2
    assert list(Message.objects.filter(direction="in").order_by("pk").values_list("body_text", flat=True)) == [
        "Tree down on Oak Street", "And a second one"]
    assert Case.objects.count() == 1  # the second message continues the DM's case


def test_a_message_edit_and_a_removed_comment_follow_the_author(page: ChannelAccount) -> None:
    client = Client()
    post_webhook(client, page, dm("Pothole on 5th", "61", "a"))
    comment = payload(Channel.FACEBOOK, PAGE_ID, "My phone is 215 555 0100", "comment", user_id="63", unique="c")
    post_webhook(client, page, comment)
    process_all()
    edit = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "messaging": [{
        "sender": {"id": "61"}, "recipient": {"id": PAGE_ID}, "timestamp": 1_780_000_001_000,
        "message_edit": {"mid": "m_a", "text": "Pothole on 5th and Main", "num_edit": 1}}]}]}
    removal = json.loads(json.dumps(comment))
    removal["entry"][0]["changes"][0]["value"]["verb"] = "remove"
    post_webhook(client, page, edit)
    post_webhook(client, page, removal)
    process_all()
    assert Message.objects.get(provider_message_id="m_a").body_text == "Pothole on 5th and Main"
    removed = Message.objects.get(provider_message_id=comment["entry"][0]["changes"][0]["value"]["comment_id"])
    assert removed.body_text == "" and removed.deleted_by_author_at is not None


def test_the_content_hash_of_one_event_equals_the_pipelines(page: ChannelAccount) -> None:
    document = json.dumps(dm("Pothole", "61", "a")).encode()
    [event] = parsing.events_of(document, {"account_id": page.pk})
    assert parsing.event_hash(event) == pipeline.event_hash(event)


def test_our_own_echo_and_our_own_comment_are_ignored(page: ChannelAccount) -> None:
    echo = dm("We are on it", PAGE_ID, "e")
    echo["entry"][0]["messaging"][0]["message"]["is_echo"] = True
    ours = payload(Channel.FACEBOOK, PAGE_ID, "Thanks, we are on it", "comment", user_id=PAGE_ID, unique="o")
    client = Client()
    post_webhook(client, page, echo)
    post_webhook(client, page, ours)
    process_all()
    assert not Message.objects.exists()
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {"ignored"}


def test_malformed_json_is_stored_and_quarantined_not_lost(page: ChannelAccount) -> None:
    assert post_webhook(Client(), page, b'{"object": "page", "entry": [').status_code == 200
    process_all()
    assert latest_payload().status == "quarantined"


def test_an_instagram_message_and_comment_arrive_on_the_instagram_channel(instagram: ChannelAccount) -> None:
    from civicdesk.channels.providers.meta.tests.conftest import IG_ID
    client = Client()
    post_webhook(client, instagram, payload(Channel.INSTAGRAM, IG_ID, "Is the pool open?", "message",
                                            user_id="91", unique="i"))
    post_webhook(client, instagram, payload(Channel.INSTAGRAM, IG_ID, "Broken swing", "comment", user_id="92",
                                            unique="j"))
    process_all()
    assert set(Message.objects.values_list("channel", flat=True)) == {"instagram"}
    assert Identity.objects.filter(kind="instagram", value=f"{IG_ID}:92").exists()
    assert sorted(Conversation.objects.values_list("visibility", flat=True)) == ["private", "public"]
