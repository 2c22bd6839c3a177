"""The desk's live chat in Chromium, against the resident's widget in a second browser context: the queue fills
live, the agent accepts with the keyboard, messages go both ways each shown within a second (pushed over ASGI),
the same works with push unavailable (WSGI: the desk polls), a lost accept race is told plainly, and the chats
page passes axe at 1280 and 390 px."""

import time

import pytest
from playwright.sync_api import Page, expect

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.chat import actions as chat_actions
from civicdesk.chatdesk.tests.asgi_server import asgi_live_server
from civicdesk.chatdesk.tests.helpers import start_chat
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SECOND = 1.0


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def open_desk(page: Page, url: str, username: str = "wanda") -> None:
    sign_in(page, url, username)
    page.goto(f"{url}/staff/chats/")
    expect(page.get_by_role("heading", name="Live chats")).to_be_visible()


def resident_starts(page: Page, url: str, text: str) -> None:
    page.goto(f"{url}/services/")
    page.get_by_role("button", name="Chat with us").click()
    page.get_by_label("Who would you like to chat with?").select_option(label="Public Works")
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Name (optional)").fill("Rosa")
    page.get_by_role("button", name="Start the chat").click()
    expect(page.locator("[data-chat-live]")).to_be_visible()


def within(seconds: float, check) -> float:
    """Run an expect()-style check with `seconds` to spare; the time it took."""
    began = time.monotonic()
    check(int(seconds * 1000))
    return time.monotonic() - began


def exchange(agent: Page, resident: Page, limit: float) -> list[float]:
    """The resident writes, the agent answers, and back: each message's time from send to the other screen."""
    took = []
    resident.get_by_label("Your message").fill("Is the pothole on Elm already known?")
    resident.get_by_label("Your message").press("Enter")
    took.append(within(limit, lambda ms: expect(agent.get_by_role("log").get_by_text(
        "Is the pothole on Elm already known?")).to_be_visible(timeout=ms)))
    box = agent.get_by_label("Your message to Rosa")
    box.fill("Yes, a crew goes there tomorrow.")
    box.press("Enter")
    took.append(within(limit, lambda ms: expect(resident.get_by_role("log").get_by_text(
        "Yes, a crew goes there tomorrow.")).to_be_visible(timeout=ms)))
    expect(box).to_have_value("")
    expect(box).to_be_focused()  # the agent keeps typing where they were
    return took


def test_a_resident_and_an_agent_in_two_browsers_chat_each_message_shown_within_a_second(transactional_db, world,
                                                                                       browser):
    with asgi_live_server() as url:
        agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        resident = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        errors = watch(agent) + watch(resident)
        open_desk(agent, url)
        agent.get_by_role("button", name="Become available for chat").click()
        expect(agent.get_by_text("You are now available for chat.")).to_be_visible()
        expect(agent.locator("#chat-desk[data-chat-live=push]")).to_have_count(1, timeout=3000)
        expect(agent.get_by_text("No chats are waiting.")).to_be_visible()

        resident_starts(resident, url, "There is a deep pothole on Elm Street")
        expect(agent.get_by_text("There is a deep pothole on Elm Street")).to_be_visible(timeout=1500)
        expect(agent.locator("#chat-nav-poller")).to_contain_text("1 waiting", timeout=3000)
        accept = agent.get_by_role("button", name="Accept the chat with Rosa")
        accept.focus()
        agent.keyboard.press("Enter")  # keyboard only
        expect(agent.get_by_role("heading", name="Chat with Rosa")).to_be_visible()
        expect(resident.locator("[data-chat-status]")).to_have_text("wanda is answering.", timeout=1000)
        expect(agent.locator("#chat-desk[data-chat-live=push]")).to_have_count(1, timeout=3000)

        took = exchange(agent, resident, SECOND)
        assert max(took) < SECOND, took

        agent.get_by_role("button", name="End the chat with Rosa").click()
        expect(agent.get_by_text("The chat ended.")).to_be_visible()
        expect(resident.locator("[data-chat-status]")).to_have_text("The chat has ended.", timeout=1000)
        entry = AuditEntry.objects.get(action=AuditAction.CHAT_ENDED)
        agent.goto(f"{url}/staff/cases/{entry.case.number}/")
        timeline = agent.locator("#case-timeline")
        expect(timeline).to_contain_text("Is the pothole on Elm already known?")  # the transcript stays on the case
        expect(timeline).to_contain_text("Yes, a crew goes there tomorrow.")
        expect(timeline).to_contain_text("wanda ended the live chat after 3 messages")
        assert errors == []


def test_with_push_unavailable_the_desk_polls_and_still_delivers_both_ways(live_server, transactional_db, world,
                                                                         browser):
    agent = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    resident = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    open_desk(agent, live_server.url)  # WSGI: the desk's stream answers 204
    agent.get_by_role("button", name="Become available for chat").click()
    expect(agent.locator("#chat-desk[data-chat-live=poll]")).to_have_count(1, timeout=3000)
    resident_starts(resident, live_server.url, "Streetlight out on Oak")
    expect(agent.get_by_text("Streetlight out on Oak")).to_be_visible(timeout=2500)
    agent.get_by_role("button", name="Accept the chat with Rosa").click()
    took = exchange(agent, resident, 2.5)  # a check a second, each way
    assert max(took) < 2.5, took


def test_the_agent_who_loses_the_accept_race_is_told_who_won(transactional_db, world, live_server, browser):
    wanda = browser.new_context().new_page()
    walt = browser.new_context(java_script_enabled=False).new_page()  # his page stays as it was loaded
    start_chat(world.works, "Graffiti on the bridge", name="Rosa")
    open_desk(wanda, live_server.url, "wanda")
    open_desk(walt, live_server.url, "walt")
    wanda.get_by_role("button", name="Accept the chat with Rosa").click()
    expect(wanda.get_by_role("heading", name="Chat with Rosa")).to_be_visible()
    walt.get_by_role("button", name="Accept the chat with Rosa").click()  # the page he had open still offered it
    expect(walt.get_by_text("wanda accepted this chat first; it is no longer in the queue.")).to_be_visible()
    expect(walt.get_by_text("No chats are waiting.")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_chats_page_passes_axe_and_works_with_the_keyboard(transactional_db, world, live_server, browser, width):
    start_chat(world.works, "Missed pickup on 5th", name="Rosa")
    held = start_chat(world.works, "Noise complaint", name="Ravi", email="ravi@example.com")
    chat_actions.accept_session(held, world.works_agent)
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
    errors = watch(page)
    open_desk(page, live_server.url)
    expect(page.get_by_role("heading", name="Chat with Ravi")).to_be_visible()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    box = page.get_by_label("Your message to Ravi")
    box.focus()
    page.keyboard.type("First line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    expect(box).to_have_value("First line\nsecond line")  # Shift+Enter is a new line, Enter sends
    page.keyboard.press("Enter")
    expect(page.get_by_role("log", name="Messages with Ravi")).to_contain_text("second line")
    page.keyboard.press("Enter")  # nothing written: said so, nothing sent
    expect(page.locator("#chat-" + str(held.key) + "-error")).to_have_text("Please write a message.")

    page.get_by_text("End and block this session").click()
    page.get_by_label("Reason (kept on the case's timeline)").fill("Threats")
    assert axe(page) == []
    page.get_by_role("button", name="End the chat and block the session").press("Enter")
    expect(page.get_by_text("the session is blocked")).to_be_visible()
    held.refresh_from_db()
    assert held.blocked
    assert axe(page) == []
    assert errors == []
