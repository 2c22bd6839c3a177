"""Against a real local AT Protocol network (@atproto/dev-env: PDS, PLC and AppView), driven by the `atproto` SDK:
a resident mentions the agency, a poll makes a case, and the agent's reply is in the thread with the right strong
references, read back from the PDS. Skipped, saying why, when the dev-env is not installed."""

import uuid
from typing import Any

import pytest

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.bluesky import session
from civicdesk.channels.providers.bluesky.actions import connect_bluesky_account
from civicdesk.channels.providers.bluesky.devenv import Network
from civicdesk.channels.providers.bluesky.tests.pds import Person, create_person, wait_for
from civicdesk.channels.tasks import poll_account
from civicdesk.contacts.models import Identity
from civicdesk.conversations.replies import reply
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("atproto-dev-env"), pytest.mark.slow]


@pytest.fixture(scope="session")
def people(atproto_network: Network) -> dict[str, Person]:
    """The agency's account and two residents, made once per session on the local PDS."""
    return {name: create_person(atproto_network.pds, f"{name}.test") for name in ("city311", "maria", "tomas")}


@pytest.fixture
def account(atproto_network: Network, people: dict[str, Person], settings: Any) -> ChannelAccount:
    settings.BLUESKY_CHAT_ENABLED = False  # the dev-env has no chat service (test_chat.py runs one of ours)
    agency = create_agency("public-works", "Public Works")
    made = connect_bluesky_account(agency=agency, handle="city311.test", service=atproto_network.pds,
                                   app_password=people["city311"].app_password(f"desk-{uuid.uuid4().hex[:12]}"))
    session.forget(made)
    return made


def poll_until(account: ChannelAccount, capture: Any, count: int) -> None:
    """Poll (processing what is stored at once) until `count` payloads of the account are stored."""
    def stored() -> bool:
        with capture(execute=True):
            poll_account.call(account.pk)
        return InboundPayload.objects.filter(meta__account_id=account.pk).count() >= count
    wait_for(stored)


def test_a_mention_on_the_pds_is_a_case_and_the_agents_reply_is_in_its_thread(
        account: ChannelAccount, people: dict[str, Person], django_capture_on_commit_callbacks: Any) -> None:
    maria, city = people["maria"], people["city311"]
    uri, cid = maria.post("@city311.test the streetlight at Elm and 5th has been out for a week",
                          mentions={"city311.test": city.did})
    poll_until(account, django_capture_on_commit_callbacks, 1)

    inbound = Message.objects.get(direction=Direction.INBOUND, provider_message_id=uri)
    assert "streetlight at Elm" in inbound.body_text
    assert inbound.sender_identity is not None and inbound.sender_identity.value == maria.did  # the DID, stable
    assert inbound.sender_identity.display == "@maria.test"  # the handle, shown
    case = inbound.case
    assert case is not None and case.channel == "bluesky"

    agent = create_staff("wanda", agencies=[account.agency])
    with django_capture_on_commit_callbacks(execute=True):
        sent = reply(case, author=agent, text="Thanks, a crew is scheduled for Thursday.")
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT, sent.delivery_error
    record = maria.record(sent.provider_message_id).value  # read back from the PDS, as written
    assert record.reply.parent.uri == uri and record.reply.parent.cid == cid
    assert record.reply.root.uri == uri and record.reply.root.cid == cid  # the mention started the thread
    assert record.text == "@maria.test Thanks, a crew is scheduled for Thursday."
    mention = record.facets[0]
    assert mention.features[0].did == maria.did
    assert record.text.encode()[mention.index.byte_start:mention.index.byte_end] == b"@maria.test"


def test_a_reply_deeper_in_the_thread_keeps_the_root_and_continues_the_case(
        account: ChannelAccount, people: dict[str, Person], django_capture_on_commit_callbacks: Any) -> None:
    tomas, city = people["tomas"], people["city311"]
    root = tomas.post("Is the pool on Main open this weekend @city311.test?", mentions={"city311.test": city.did})
    poll_until(account, django_capture_on_commit_callbacks, 1)
    case = Case.objects.get(messages__provider_message_id=root[0])
    agent = create_staff("wanda", agencies=[account.agency])
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(case, author=agent, text="Yes, 9 to 5.")
    answer.refresh_from_db()
    ours = wait_for(lambda: next(iter(city.client.get_posts([answer.provider_message_id]).posts), None))

    follow_up = tomas.post("And on Monday?", reply_to=(ours.uri, ours.cid), root=root)
    poll_until(account, django_capture_on_commit_callbacks, 2)
    again = Message.objects.get(provider_message_id=follow_up[0])
    assert again.case_id == case.pk  # one conversation per thread root

    with django_capture_on_commit_callbacks(execute=True):
        second = reply(case, author=agent, text="Closed on Mondays.")
    second.refresh_from_db()
    record = tomas.record(second.provider_message_id).value
    assert (record.reply.parent.uri, record.reply.parent.cid) == follow_up  # answers the latest post
    assert (record.reply.root.uri, record.reply.root.cid) == root  # copied from the parent's own root


def test_polling_again_stores_nothing_twice(account: ChannelAccount, people: dict[str, Person],
                                            django_capture_on_commit_callbacks: Any) -> None:
    maria, city = people["maria"], people["city311"]
    maria.post("@city311.test overflowing bin on Oak Street", mentions={"city311.test": city.did})
    poll_until(account, django_capture_on_commit_callbacks, 1)
    before = (InboundPayload.objects.count(), Message.objects.filter(direction=Direction.INBOUND).count())
    account.refresh_from_db()
    account.cursor = {**account.cursor, "recent": []}  # even with the overlap's memory gone, the store dedupes
    account.save(update_fields=["cursor"])
    with django_capture_on_commit_callbacks(execute=True):
        poll_account.call(account.pk)
        poll_account.call(account.pk)
    assert (InboundPayload.objects.count(), Message.objects.filter(direction=Direction.INBOUND).count()) == before


def test_a_post_deleted_by_its_author_is_removed_from_view_at_the_next_poll(
        account: ChannelAccount, people: dict[str, Person], django_capture_on_commit_callbacks: Any) -> None:
    maria, city = people["maria"], people["city311"]
    uri, _ = maria.post("@city311.test my neighbour's address is 12 Birch Lane", mentions={"city311.test": city.did})
    poll_until(account, django_capture_on_commit_callbacks, 1)
    maria.delete(uri)
    poll_until(account, django_capture_on_commit_callbacks, 2)
    message = Message.objects.get(provider_message_id=uri)
    assert message.deleted_by_author_at is not None and message.body_text == ""


def test_a_new_handle_changes_the_display_and_keeps_the_identity(
        account: ChannelAccount, people: dict[str, Person], django_capture_on_commit_callbacks: Any) -> None:
    tomas, city = people["tomas"], people["city311"]
    tomas.post("@city311.test graffiti on the library wall", mentions={"city311.test": city.did})
    poll_until(account, django_capture_on_commit_callbacks, 1)
    identity = Identity.objects.get(value=tomas.did)
    old_name = tomas.handle
    tomas.rename(f"tomas-{account.pk}.test")
    try:
        wait_for(lambda: city.client.get_profile(tomas.did).handle == tomas.handle)
        tomas.post("@city311.test it is still there", mentions={"city311.test": city.did})
        poll_until(account, django_capture_on_commit_callbacks, 2)
        identity.refresh_from_db()
        assert identity.display == f"@{tomas.handle}"
        assert Identity.objects.filter(value=tomas.did).count() == 1
        assert Message.objects.filter(sender_identity=identity).count() == 2
    finally:
        tomas.rename(old_name)
