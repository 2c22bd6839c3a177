"""The X walk in Chromium: a supervisor connects the agency's X account on the Channels page (the Enterprise-contract
notice shown, the confirmation required), X registers the webhook (its CRC against our hook), a resident's mention
delivered by the local X server becomes a case, and the agent's reply reaches X as a reply to that mention. The X
pages pass axe at 1280 and 390 px."""

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from xdk import Client as XClient
from xdk.schemas import CreateWebhooksRequest

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.x.tests.conftest import ADAPTER, CONSUMER_SECRET, OUR_ID
from civicdesk.channels.providers.x.tests.helpers import RESIDENT_ID, residents
from civicdesk.channels.providers.x.tests.x_server import XServer, http_transport
from civicdesk.inbox.tests.test_browser_composer_page import sign_in
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]
TOKEN = "browser-walk-user-token-0123456789"
FLOODING = "The storm drain on Elm St is blocked and the street is flooding."


@pytest.fixture
def browser(settings: Any) -> Iterator[Browser]:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "x": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "x": ADAPTER}
    settings.X_CONNECTOR_ENABLED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def x_live(live_server: Any, settings: Any) -> Iterator[XServer]:
    server = XServer(consumer_secret=CONSUMER_SECRET, transport=http_transport)
    server.add_user(OUR_ID, "RiverbendPW", "Riverbend Public Works", token=TOKEN)
    residents(server)
    server.start()
    settings.X_API_BASE_URL = server.base_url
    settings.SITE_URL = live_server.url
    yield server
    server.stop()


def unexpected(errors: list[str]) -> list[str]:
    """The page errors besides the form's own 400 (a refused form is answered 400, by design)."""
    return [e for e in errors if "favicon" not in e and not e.startswith("400 ") and "status of 400" not in e]


def no_overflow(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_enabling_x_needs_the_contract_and_a_mention_becomes_a_case_answered_on_x(
        live_server: Any, transactional_db: Any, browser: Browser, x_live: XServer) -> None:
    works = create_agency("public-works", "Public Works")
    create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works])
    create_staff("wanda", agencies=[works])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/staff/channels/")
    page.get_by_role("link", name="Connect an X account").click()
    expect(page.get_by_role("heading", name="Connect an X account")).to_be_visible()
    notice = page.locator("#x-notice")
    expect(notice).to_contain_text("X requires an Enterprise contract for government use")
    expect(notice).to_contain_text("Pay-per-use or other self-serve access is not enough")
    assert axe(page) == []
    page.locator("#x_agency").select_option(label="Public Works")
    page.get_by_label("X user id").fill(OUR_ID)
    page.get_by_label("Handle").fill("RiverbendPW")
    page.get_by_label("Consumer secret (API secret key) of the X app").fill(CONSUMER_SECRET)
    page.get_by_label("User access token of the agency's X account").fill(TOKEN)
    page.get_by_role("button", name="Confirm and connect").click()  # without the confirmation
    expect(page.get_by_role("alert").first).to_contain_text("Confirm the Enterprise contract")
    assert not ChannelAccount.objects.filter(provider=Provider.X).exists()
    assert axe(page) == []
    page.get_by_label("Consumer secret (API secret key) of the X app").fill(CONSUMER_SECRET)  # never rendered back
    page.get_by_label("User access token of the agency's X account").fill(TOKEN)
    page.locator("label[for=x_confirm]").click()  # USWDS draws the box on the label
    expect(page.get_by_label("I confirm that we hold an X Enterprise contract")).to_be_checked()
    page.get_by_role("button", name="Confirm and connect").click()
    expect(page.get_by_text("with the Enterprise contract confirmed")).to_be_visible()
    expect(page.get_by_text("Confirmed by sup")).to_be_visible()
    account = ChannelAccount.objects.get(provider=Provider.X)

    # X registers the webhook (the SDK against the local X server, which sends its CRC to our hook)
    api = XClient(base_url=x_live.base_url, bearer_token=x_live.bearer_token)
    created = api.webhooks.create(CreateWebhooksRequest(url=f"{live_server.url}/hooks/x/{account.pk}/"))
    assert created.data is not None and created.data.valid

    mention = x_live.mention(RESIDENT_ID, FLOODING, to=OUR_ID)
    assert x_live.deliver(x_live.activity(OUR_ID, [mention]))[0] == 200
    inbound = Message.objects.get(channel=Channel.X, direction=Direction.INBOUND)
    assert inbound.case.agency == works and inbound.provider_message_id == mention["id_str"]

    agent = browser.new_page(viewport={"width": 1280, "height": 900})
    agent_errors = watch(agent)
    sign_in(agent, live_server.url, "wanda")
    agent.goto(f"{live_server.url}/staff/cases/{inbound.case.number}/")
    expect(agent.locator(".cd-pre", has_text=FLOODING)).to_be_visible()  # the timeline (the title has its start)
    assert axe(agent) == []
    agent.locator("#reply_text").fill("Thanks, a crew is on the way to clear the drain.")
    agent.get_by_role("button", name="Send reply").click()
    expect(agent.locator("#reply_text")).to_have_value("")
    posted = [body for method, path, body in x_live.requests if path == "/2/tweets"]
    assert {"text": "Thanks, a crew is on the way to clear the drain.",
            "reply": {"in_reply_to_tweet_id": mention["id_str"]}} in posted
    reply = Message.objects.get(direction=Direction.OUTBOUND, is_automatic=False)
    assert x_live.posts[reply.provider_message_id]["in_reply_to_status_id_str"] == mention["id_str"]
    assert unexpected(errors + agent_errors) == []


@pytest.mark.parametrize("width", [1280, 390])
def test_the_x_pages_pass_axe_and_fit_a_phone(live_server: Any, transactional_db: Any, browser: Browser,
                                              x_live: XServer, width: int) -> None:
    works = create_agency("public-works", "Public Works")
    create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works])
    unconfirmed = ChannelAccount.objects.create(channel=Channel.X, provider=Provider.X, address="1234567890123",
                                                agency=works, display_name="@RiverbendParks", is_active=False)
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url, "sup")
    page.goto(f"{live_server.url}/staff/channels/")
    expect(page.get_by_text("Not confirmed: X's webhooks answer “not found”")).to_be_visible()
    page.get_by_role("link", name="Enable @RiverbendParks").click()
    expect(page.get_by_role("heading", name="Enable the X account @RiverbendParks")).to_be_visible()
    assert axe(page) == []
    no_overflow(page, width)
    page.get_by_role("button", name="Confirm and enable").click()
    expect(page.get_by_role("alert").first).to_contain_text("Confirm the Enterprise contract")
    assert axe(page) == []
    page.locator("label[for=x_confirm]").click()  # USWDS draws the box on the label
    expect(page.get_by_label("I confirm that we hold an X Enterprise contract")).to_be_checked()
    page.get_by_role("button", name="Confirm and enable").click()
    expect(page.get_by_text("is enabled, with the Enterprise contract confirmed")).to_be_visible()
    unconfirmed.refresh_from_db()
    assert unconfirmed.is_active and unconfirmed.contract_confirmed_by == "sup"
    page.goto(f"{live_server.url}/staff/channels/x/")
    assert axe(page) == []
    no_overflow(page, width)
    assert unexpected(errors) == []
