"""In Chromium: a resident's public mention on Mastodon (mastodon-mock, posted with Mastodon.py) arrives by our
stream and shows as a case on the desk; the agent opens it, makes the reply public and sends it by keyboard; the
reply reaches the server in the resident's thread (in_reply_to_id), public like the mention and mentioning them,
while the automatic acknowledgement went privately (direct); axe finds nothing at 1280 and 390 px."""

from typing import Any

import pytest
from mastodon import Mastodon
from playwright.sync_api import expect

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.mastodon.tests.conftest import Stream
from civicdesk.channels.pulling import store_pulled
from civicdesk.inbox.tests.test_browser_team import browser, clean_at_every_width, sign_in  # noqa: F401
from civicdesk.testing.browser import watch
from civicdesk.testing.factories import create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_mention_becomes_a_case_on_the_desk_and_the_agents_reply_goes_back_in_the_thread(
        live_server: Any, transactional_db: Any, account: ChannelAccount, resident: Mastodon,
        stream: Stream, browser: Any) -> None:  # noqa: F811
    create_staff("wanda", agencies=[account.agency])
    posted = resident.status_post("@riverbend311 The streetlight on Elm St has been out for a week",
                                  visibility="public")
    items = stream.take(1)
    store_pulled(account.pk, account.channel, items, transport="stream")  # transactional: the job runs at once
    inbound = Message.objects.get(direction=Direction.INBOUND, provider_message_id=str(posted["id"]))
    case = Case.objects.get(pk=inbound.case_id)

    page = browser.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "wanda")
    page.get_by_role("link", name=case.number).first.click()
    expect(page.get_by_text("The streetlight on Elm St has been out for a week").first).to_be_visible()
    clean_at_every_width(page)
    text = page.locator("#reply_text")
    text.focus()
    page.keyboard.type("Thanks, a crew is on the way to Elm St today.")
    page.locator("#reply_audience_public").focus()
    page.keyboard.press("Space")
    expect(page.locator("#reply_audience_public")).to_be_checked()
    page.get_by_role("button", name="Send reply").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Public update posted", exact=False)).to_be_visible(timeout=30_000)

    sent = Message.objects.get(case=case, direction=Direction.OUTBOUND, author__isnull=False)
    assert sent.provider_message_id, sent.last_error
    ours = resident.status(sent.provider_message_id)
    assert str(ours["in_reply_to_id"]) == str(posted["id"])
    assert ours["visibility"] == "public"
    assert "@alice" in ours["content"] and "a crew is on the way to Elm St today." in ours["content"]
    # no automatic acknowledgement under a public post: it would name the case in public
    assert not Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=True).exists()
    clean_at_every_width(page)
    assert [e for e in errors if "favicon" not in e] == []
