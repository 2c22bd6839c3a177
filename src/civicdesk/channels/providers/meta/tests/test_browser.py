"""The Meta channels in Chromium, as an agent sees them: a Messenger message and a page comment arrive as cases on
the desk, the agent replies on Messenger with the reply window shown, and hides the comment; axe passes on both
case pages at 1280 and 390 px, and nothing overflows sideways."""

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import expect

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.providers.meta.simulation import payload
from civicdesk.channels.providers.meta.tests.conftest import PAGE_ID, PSID, post_webhook
from civicdesk.channels.providers.meta.tests.graph_server import GraphServer
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FITS = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


def fits_and_passes_axe(page: Any) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for _ in range(20):
            page.wait_for_timeout(100)
            if page.evaluate(FITS):
                break
        assert page.evaluate(FITS), f"wider than the window at {width} px"
        assert axe(page) == [], width
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_messenger_message_and_a_comment_become_cases_the_agent_answers_and_moderates(
        live_server: Any, transactional_db: Any, page: ChannelAccount, graph: GraphServer, browser: Any) -> None:
    create_staff("agent", agencies=[page.agency])
    graph.user_wrote(PAGE_ID, PSID)
    comment = payload(Channel.FACEBOOK, PAGE_ID, "The playground gate on Oak St is broken", "comment", user_id="63",
                      unique="browser")
    comment_id = comment["entry"][0]["changes"][0]["value"]["comment_id"]
    graph.add_comment(PAGE_ID, comment_id)
    client = Client()
    assert post_webhook(client, page, payload(Channel.FACEBOOK, PAGE_ID, "Streetlight out at Elm and 3rd",
                                              "message", user_id=PSID, unique="dm")).status_code == 200
    assert post_webhook(client, page, comment).status_code == 200
    dm_case = Case.objects.get(channel="facebook", description__contains="Streetlight")
    comment_case = Case.objects.get(channel="facebook", description__contains="playground")

    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(tab)
    tab.goto(f"{live_server.url}/staff/login/")
    tab.get_by_label("Username").fill("agent")
    tab.get_by_label("Password").fill("demo")
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Inbox")).to_be_visible()
    expect(tab.get_by_role("link", name=dm_case.number)).to_be_visible()
    expect(tab.get_by_role("link", name=comment_case.number)).to_be_visible()

    # the Messenger case: the window says how long is left; the reply goes out by the Send API
    tab.goto(f"{live_server.url}/staff/cases/{dm_case.number}/")
    expect(tab.locator("#reply-window")).to_contain_text("Meta allows replies for 23 hours")
    fits_and_passes_axe(tab)
    tab.locator("#reply_text").fill("A crew will fix the light tonight.")
    tab.get_by_role("button", name="Send reply").click()
    expect(tab.get_by_text("A crew will fix the light tonight.").first).to_be_visible()
    sent = [call for call in graph.calls if call.body.get("message", {}).get("text") ==
            "A crew will fix the light tonight."]
    assert sent and sent[0].path == f"/{PAGE_ID}/messages" and sent[0].body["messaging_type"] == "RESPONSE"
    reply = Message.objects.get(case=dm_case, direction=Direction.OUTBOUND, is_automatic=False)
    assert reply.delivery_status == "sent"

    # the comment's case: hide the comment on Facebook, keyboard first
    tab.goto(f"{live_server.url}/staff/cases/{comment_case.number}/")
    hide = tab.get_by_role("button", name="Hide this comment on Facebook")
    hide.focus()
    tab.keyboard.press("Enter")
    expect(tab.get_by_text("Hidden on Facebook")).to_be_visible()
    assert graph.comments[comment_id]["hidden"] is True
    fits_and_passes_axe(tab)
    assert [e for e in errors if "favicon" not in e] == []
