"""The chat widget in Chromium: a live chat pushed both ways within a second, the polling fallback, leaving a
message when nobody is available, the keyboard, and axe at 1280 and 390 px.

Push needs an ASGI server: `asgi_url` serves the real ASGI app with uvicorn in a thread (the test database is
shared with it, as with live_server); `live_server` is the WSGI server, where the stream answers 204.
"""

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import OperationalError
from playwright.sync_api import Page, expect

from civicdesk.asgi import application
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.chat import actions
from civicdesk.chat.models import ChatSession, ChatStatus
from civicdesk.chat.tests.conftest import new_id
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def asgi_url(transactional_db) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(ASGIStaticFilesHandler(application), host="127.0.0.1", port=port,
                                           lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def open_widget(page: Page, url: str) -> None:
    page.goto(f"{url}/services/")
    page.get_by_role("button", name="Chat with us").click()
    expect(page.get_by_label("Who would you like to chat with?")).to_be_visible()


def start_chat(page: Page, agency: str, text: str) -> None:
    page.get_by_label("Who would you like to chat with?").select_option(label=agency)
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Start the chat").click()
    expect(page.locator("[data-chat-live]")).to_be_visible()


def wait_for(condition, seconds: float) -> float:
    """Seconds until condition() held (fails after `seconds`). The in-memory test database locks a table while the
    server thread writes it: such a read is tried again."""
    began = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - began
        except OperationalError:
            pass
        assert time.monotonic() - began < seconds, "not within the time allowed"
        time.sleep(0.02)


def test_a_resident_and_an_agent_exchange_messages_each_shown_within_a_second(asgi_url, world, on_duty, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    open_widget(page, asgi_url)
    start_chat(page, "Public Works", "Is the pool open on Sunday?")
    expect(page.get_by_role("status")).to_have_text("Your place in the queue: 1.")
    session = ChatSession.objects.get()
    actions.accept_session(session, on_duty)
    expect(page.locator("[data-chat-status]")).to_have_text("wanda is answering.", timeout=1000)

    actions.post_agent_message(session, on_duty, text="Yes, from 9 to 5.", client_id=new_id())
    sent = time.monotonic()
    expect(page.get_by_role("log").get_by_text("Yes, from 9 to 5.")).to_be_visible(timeout=1000)
    assert time.monotonic() - sent < 1.0

    page.get_by_label("Your message").fill("Thank you!")
    page.keyboard.press("Enter")
    typed = time.monotonic()
    wait_for(lambda: Message.objects.filter(body_text="Thank you!", direction=Direction.INBOUND).exists(), 1.0)
    assert time.monotonic() - typed < 1.0
    expect(page.locator(".cd-chat__message--pending")).to_have_count(0)

    page.goto(f"{asgi_url}/agencies/")  # the chat stays with the resident from page to page
    expect(page.get_by_role("log").get_by_text("Thank you!")).to_be_visible()
    actions.post_agent_message(session, on_duty, text="See you there.", client_id=new_id())
    expect(page.get_by_role("log").get_by_text("See you there.")).to_be_visible(timeout=1000)
    actions.end_session(session, by_agent=on_duty)
    expect(page.locator("[data-chat-status]")).to_have_text("The chat has ended.", timeout=1000)
    expect(page.get_by_role("link", name="Start a new chat")).to_be_visible(timeout=3000)
    assert errors == []


def test_with_push_unavailable_the_widget_polls_and_still_delivers_both_ways(live_server, transactional_db, world,
                                                                            on_duty, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_widget(page, live_server.url)  # WSGI: the stream answers 204
    start_chat(page, "Public Works", "Anyone there?")
    session = ChatSession.objects.get()
    actions.accept_session(session, on_duty)
    actions.post_agent_message(session, on_duty, text="Polling works too.", client_id=new_id())
    expect(page.get_by_role("log").get_by_text("Polling works too.")).to_be_visible(timeout=2500)
    page.get_by_label("Your message").fill("Great")
    page.get_by_role("button", name="Send").click()
    wait_for(lambda: Message.objects.filter(body_text="Great").exists(), 2.0)


def test_nobody_available_so_the_message_becomes_a_case_answered_by_email(live_server, transactional_db, world,
                                                                          browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    open_widget(page, live_server.url)
    page.get_by_label("Who would you like to chat with?").select_option(label="Parks and Recreation (leave a message)")
    page.get_by_label("Your message").fill("A tree fell on the path.")
    page.get_by_role("button", name="Start the chat").click()
    expect(page.get_by_text("Nobody at Parks and Recreation can chat right now.")).to_be_focused()
    assert axe(page) == []
    page.get_by_text("By email", exact=True).click()  # the USWDS radio's label (its input is drawn off-screen)
    page.get_by_role("button", name="Leave my message").click()
    expect(page.locator("#cd-chat-errors")).to_contain_text("Enter your email address, so we can answer you by email.")
    page.get_by_label("Email address (optional)").fill("rosa@example.com")
    page.get_by_role("button", name="Leave my message").click()
    thanks = page.get_by_role("status").filter(has_text="Thank you. Your message is request")
    expect(thanks).to_be_focused()
    case = Case.objects.get()
    expect(thanks).to_contain_text(case.number)
    assert case.agency == world.parks and case.description == "A tree fell on the path."
    assert ChatSession.objects.get().status == ChatStatus.LEFT_MESSAGE


@pytest.mark.parametrize("width", [1280, 390])
def test_the_widget_passes_axe_and_works_with_the_keyboard(asgi_url, world, on_duty, browser, width):
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
    errors = watch(page)
    page.goto(f"{asgi_url}/")
    assert axe(page) == []
    toggle = page.get_by_role("button", name="Chat with us")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Chat with us")).to_be_focused()
    expect(toggle).to_be_hidden()
    expect(page.get_by_label("Who would you like to chat with?")).to_be_visible()
    assert axe(page) == []
    page.keyboard.press("Escape")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    page.get_by_role("button", name="Start the chat").click()  # nothing filled in: the errors are listed
    summary = page.locator("#cd-chat-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose who to chat with.")
    assert axe(page) == []

    page.get_by_label("Who would you like to chat with?").select_option(label="Public Works")
    page.get_by_label("Your message").fill("Hello")
    page.get_by_label("Your message").press("Tab")
    page.get_by_role("button", name="Start the chat").press("Enter")
    expect(page.get_by_label("Your message")).to_be_focused()  # the composer of the live chat
    session = ChatSession.objects.get()
    actions.accept_session(session, on_duty)
    actions.post_agent_message(session, on_duty, text="Hi! How can I help?", client_id=new_id())
    expect(page.get_by_role("log").get_by_text("Hi! How can I help?")).to_be_visible(timeout=1000)
    assert page.get_by_role("log").get_attribute("aria-label") == "Messages"
    if width < 400:
        box = page.locator("#cd-chat-panel").bounding_box()
        assert box is not None and box["width"] <= 390 and box["x"] >= 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    assert [e for e in errors if "400" not in e] == []  # the empty form's 400 was the point
