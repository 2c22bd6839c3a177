"""In Chromium: a comment on the agency's YouTube video arrives by polling the local YouTube Data API server and is a
case on the desk; the agent's reply from the case page is posted as a reply to that comment; the Channels page shows
the channel's quota. axe finds nothing at 1280 and 390 px."""

import pytest
from playwright.sync_api import expect

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case, DeliveryStatus, Direction
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.youtube import quota
from civicdesk.channels.providers.youtube.tests.server import OUR_CHANNEL, YouTubeServer
from civicdesk.channels.providers.youtube.tests.test_polling import poll_and_process
from civicdesk.inbox.tests.test_browser_team import browser, clean_at_every_width, sign_in  # noqa: F401
from civicdesk.testing.browser import watch
from civicdesk.testing.factories import create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]
COMMENT = "The water fountain at Elm Park has been dry for a week."


def test_a_comment_becomes_a_case_the_agent_replies_and_the_channels_page_shows_the_quota(
        live_server, transactional_db, youtube_server: YouTubeServer, account: ChannelAccount,
        browser) -> None:  # noqa: F811
    thread = youtube_server.add_comment(COMMENT, name="Maria Lopez")
    create_staff("parks.sup", role=StaffRole.SUPERVISOR, agencies=[account.agency])
    assert poll_and_process(account) == 1
    case = Case.objects.get()
    page = browser.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "parks.sup")

    page.get_by_role("link", name=case.number).click()  # on the desk

    expect(page.get_by_text(COMMENT).first).to_be_visible()
    clean_at_every_width(page, "#reply-form")
    page.locator("#reply_text").fill("Thank you, Maria: a crew will repair the fountain on Monday.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Reply queued for delivery.")).to_be_visible()
    reply = case.messages.get(direction=Direction.OUTBOUND, is_automatic=False)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT  # the immediate task backend delivered it on commit
    posted = [r["snippet"] for r in youtube_server.replies_of(thread)
              if r["snippet"]["authorChannelId"]["value"] == OUR_CHANNEL]
    assert "Thank you, Maria: a crew will repair the fountain on Monday." in [p["textOriginal"] for p in posted]
    assert all(p["parentId"] == thread for p in posted)

    page.goto(f"{live_server.url}/staff/channels/")  # under Manage in the staff header
    expect(page.get_by_role("heading", name="Channels", exact=True)).to_be_visible()
    section = page.locator(f"#account-{account.pk}")
    left = quota.units_left(account.pk)
    assert left < 10000 - 50
    expect(section.get_by_text(f"quota: {left:,} of 10,000 units left today")).to_be_visible()
    clean_at_every_width(page)
    assert [e for e in errors if "favicon" not in e] == []
