"""What an agent sees, in Chromium, of a Bluesky mention made on a real local PDS: the case on the desk, a reply typed
in the composer, and that reply in the resident's thread on the PDS (read back with its strong references); axe at
1280 and 390 px. Skipped when the AT Protocol dev-env is not installed."""

import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.channels.models import InboundPayload
from civicdesk.channels.providers.bluesky import session
from civicdesk.channels.providers.bluesky.actions import connect_bluesky_account
from civicdesk.channels.providers.bluesky.devenv import Network
from civicdesk.channels.providers.bluesky.tests.pds import create_person, wait_for
from civicdesk.channels.tasks import poll_account
from civicdesk.inbox.tests.test_browser_composer_page import sign_in
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("atproto-dev-env")]


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


@pytest.mark.parametrize("width", [1280, 390])
def test_a_mention_is_a_case_on_the_desk_and_the_reply_typed_there_is_in_the_thread(
        live_server: Any, transactional_db: Any, atproto_network: Network, browser: Any,
        settings: Any, width: int) -> None:
    settings.BLUESKY_CHAT_ENABLED = False
    suffix = uuid.uuid4().hex[:6]
    city = create_person(atproto_network.pds, f"desk{suffix}.test")
    resident = create_person(atproto_network.pds, f"ana{suffix}.test")
    works = create_agency("public-works", "Public Works")
    create_staff("wanda", agencies=[works])
    account = connect_bluesky_account(agency=works, handle=city.handle, service=atproto_network.pds,
                                      app_password=city.app_password())
    session.forget(account)
    uri, cid = resident.post(f"@{city.handle} a tree fell across Cedar Lane and blocks both ways",
                             mentions={city.handle: city.did})

    def polled() -> bool:
        poll_account.call(account.pk)
        return InboundPayload.objects.filter(meta__account_id=account.pk).exists()
    wait_for(polled)
    case = Message.objects.get(direction=Direction.INBOUND, provider_message_id=uri).case
    assert case is not None

    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    expect(page.get_by_text("a tree fell across Cedar Lane").first).to_be_visible()
    expect(page.get_by_text(f"@{resident.handle}").first).to_be_visible()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator("#reply_text").fill("Thank you, a crew is on the way to Cedar Lane.")
    page.get_by_role("button", name="Send reply").click()

    def delivered() -> Message | None:
        return (Message.objects.filter(case=case, direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.SENT,
                                       body_text__contains="crew is on the way").first())
    sent = wait_for(delivered)
    record = resident.record(sent.provider_message_id).value
    assert (record.reply.parent.uri, record.reply.parent.cid) == (uri, cid)
    assert (record.reply.root.uri, record.reply.root.cid) == (uri, cid)
    assert record.text == f"@{resident.handle} Thank you, a crew is on the way to Cedar Lane."
    assert record.facets[0].features[0].did == resident.did
    assert axe(page) == []
    assert errors == []
