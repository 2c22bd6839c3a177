"""Issue 12 items 6 to 9 in Chromium, by keyboard, with axe at 1280 and 390 px: a public reply refused for personal
data and continued privately; "Possible same person" linked in one keypress; an edited and a deleted post on the
case page and the public page; the Channels page with every network's limits and a paused account."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from civicdesk.cases.models import Direction, Message
from civicdesk.channels import limits
from civicdesk.channels.actions import note_error
from civicdesk.channels.events import AuthorEdit
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.payloads import store_payload
from civicdesk.contacts.actions import update_contact
from civicdesk.contacts.models import Contact
from civicdesk.conversations.pipeline import apply, prepare
from civicdesk.inbox.tests.test_browser_team import browser, clean_at_every_width, signed_in_as  # noqa: F401
from civicdesk.testing.browser import watch
from civicdesk.testing.factories import create_case
from civicdesk.testing.social import deliver, social_account, social_case, social_message, use_test_adapters

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _adapters(settings):
    use_test_adapters(settings)


def tab_to(page: Page, selector: str, *, limit: int = 150) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user moves."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def author(channel: str, target: str, *, text: str = "", deleted: bool = False) -> None:
    event = AuthorEdit(channel=channel, provider_message_id=f"edit-{target}-{deleted}", target_id=target, text=text,
                       deleted=deleted)
    payload, _ = store_payload(channel, b"{}", provider_message_id=event.provider_message_id)
    apply(payload, [prepare(event)])


def test_a_public_reply_with_a_phone_number_is_refused_and_continued_privately(live_server, transactional_db, world,
                                                                              browser):  # noqa: F811
    case = social_case(world.pothole, Channel.MASTODON, "@rosa@social.example", "Huge pothole by the school")
    update_contact(case.contact, actor=None, display_name="Rosa Tester")
    page = signed_in_as(browser, live_server.url, world.works_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    destination = page.locator("#reply-audience-private")
    expect(destination).to_contain_text("Public reply on Mastodon: anyone can see it")
    expect(destination.locator(".usa-tag")).to_have_text("Public")
    clean_at_every_width(page)

    tab_to(page, "#reply_text")
    page.keyboard.type("Rosa, please call us at (215) 555-0123 so we can fix it.")
    tab_to(page, "button[value=reply]")
    page.keyboard.press("Enter")
    error = page.locator("#reply_text_error")
    expect(error).to_contain_text("This reply would be public on Mastodon, and it contains personal data")
    expect(error).to_contain_text("a phone number")
    expect(page.locator("#reply_text")).to_have_value("Rosa, please call us at (215) 555-0123 so we can fix it.")
    assert not Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=False).exists()
    clean_at_every_width(page)

    tab_to(page, "button[name=continue_privately]")
    page.keyboard.press("Enter")
    expect(page.locator("#composer-status")).to_contain_text("asked the resident to write to us privately")
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("please send us a direct message")
    expect(timeline).to_contain_text("Draft to send privately")
    sent = Message.objects.get(case=case, direction=Direction.OUTBOUND, is_automatic=False)
    assert "555" not in sent.body_text and case.number in sent.body_text
    assert [e for e in errors if "400" not in e] == []  # the refused send is a 400, by design


def test_possible_same_person_is_linked_with_one_keypress(live_server, transactional_db, world,
                                                          browser):  # noqa: F811
    mail = create_case(service=world.pothole, email="rosa-t@example.com", contact_name="Rosa Tester").contact
    bluesky = social_case(world.pothole, Channel.BLUESKY, "did:plc:7iza6de2dwap2sbkpav7c6c6", "Pothole again",
                          display="rosa-t.bsky.social").contact
    page = signed_in_as(browser, live_server.url, world.works_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/contacts/{bluesky.pk}/")
    identity = page.locator("#identities .cd-identities__value")
    expect(identity).to_have_text("rosa-t.bsky.social")
    expect(identity).to_have_attribute("title", "Stable id on the platform: did:plc:7iza6de2dwap2sbkpav7c6c6")
    clean_at_every_width(page)
    page.goto(f"{live_server.url}/staff/contacts/{mail.pk}/")
    panel = page.locator("#duplicates")
    expect(panel.get_by_role("heading", name="Possible same person")).to_be_visible()
    expect(panel).to_contain_text("A similar handle (rosa-t.bsky.social on Bluesky handle)")
    clean_at_every_width(page)
    tab_to(page, "#duplicates button")
    page.keyboard.press("Enter")
    expect(page.get_by_text("rosa-t.bsky.social was merged into this contact.")).to_be_visible()
    expect(page.locator("#identities")).to_contain_text("rosa-t.bsky.social")
    assert Contact.objects.get(pk=bluesky.pk).merged_into_id == mail.pk
    assert errors == []


def test_an_edited_and_a_deleted_post_on_the_case_page_and_the_public_page(live_server, transactional_db, world,
                                                                           browser):  # noqa: F811
    case = social_case(world.pothole, Channel.MASTODON, "@rosa@social.example", "Zeppelin-shaped pothole",
                       pid="toot-1")
    conversation = case.conversations.get()
    deliver(social_message(Channel.MASTODON, "@rosa@social.example", "It is getting bigger", pid="toot-2",
                           key=conversation.thread_key, account=conversation.account))
    author(Channel.MASTODON, "toot-2", text="It is getting much bigger")
    author(Channel.MASTODON, "toot-1", deleted=True)
    page = signed_in_as(browser, live_server.url, world.works_agent)
    page.set_viewport_size({"width": 1280, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/cases/{case.number}/")
    timeline = page.locator("#case-timeline")
    expect(timeline.locator(".cd-deleted-stub")).to_contain_text("Deleted by its author on")
    expect(timeline.locator(".cd-edited-mark")).to_contain_text("Edited by its author on")
    expect(timeline).to_contain_text("It is getting much bigger")
    expect(timeline).not_to_contain_text("Zeppelin")
    clean_at_every_width(page)
    page.goto(f"{live_server.url}/requests/{case.public_id}/")
    expect(page.locator("main")).not_to_contain_text("Zeppelin")
    clean_at_every_width(page)
    assert errors == []


def test_the_channels_page_shows_every_networks_health_and_limits(live_server, transactional_db, world,
                                                                  browser):  # noqa: F811
    mastodon = social_account(world.works, Channel.MASTODON, "@works@social.example")
    youtube = social_account(world.works, Channel.YOUTUBE, "UCworks")
    social_account(world.works, Channel.BLUESKY, "works.bsky.social")
    ChannelAccount.objects.filter(pk=mastodon.pk).update(last_inbound_at=timezone.now() - timedelta(minutes=3))
    note_error(mastodon.pk, "The server answered 503")
    limits.note_rate_limit(mastodon.pk, limit=300, remaining=0, reset_at=timezone.now() + timedelta(minutes=4),
                           window="300 per 5 min")
    limits.spend_quota(youtube.pk, 900, budget=10_000, day=timezone.localdate())
    page = signed_in_as(browser, live_server.url, world.admin)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    errors = watch(page)
    page.goto(f"{live_server.url}/staff/channels/")
    section = page.locator(f"#account-{mastodon.pk}")
    expect(section).to_contain_text("0 of 300 calls left (300 per 5 min)")
    expect(section).to_contain_text("The server answered 503")
    expect(section.locator(".usa-tag", has_text="Paused")).to_be_visible()
    expect(page.locator(f"#account-{youtube.pk}")).to_contain_text("quota: 9,100 of 10,000 units left today")
    clean_at_every_width(page)
    tab_to(page, f"#account-{youtube.pk} button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_text("UCworks is disabled")).to_be_visible()
    assert errors == []
