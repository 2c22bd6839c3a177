"""In a real browser: a resident switches the portal to Spanish with the keyboard, sends a request, reads the
confirmation in Spanish, and the confirmation email that reaches the (real, local) SMTP server is in Spanish too.
axe-core checks the Spanish pages at desktop and phone widths."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from civicdesk.agencies.models import AttributeDatatype as D
from civicdesk.cases.models import Case
from civicdesk.mail.tests.conftest import free_port
from civicdesk.portal.tests.test_browser_loop import PageWatcher
from civicdesk.testing.browser import launch_chromium
from civicdesk.testing.factories import create_agency, create_service

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EMAIL = "vecina@example.com"


@dataclass
class Inbox:
    """What a real SMTP client delivered to the local server."""

    raw: list[bytes] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.original_content)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(raw) for raw in self.raw]  # type: ignore[misc]


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # pytest-django swaps in locmem
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


def test_a_resident_switches_to_spanish_and_gets_the_confirmation_email_in_spanish(
        live_server, transactional_db, browser, smtp_inbox):
    agency = create_agency("public-works", "Public Works", translations={"es": {"name": "Obras Públicas"}})
    create_service(agency, "pothole", name="Pothole", group="Streets", description="A hole in the road surface.",
                   translations={"es": {"name": "Bache", "description": "Un hoyo en la calle.", "group": "Calles"}},
                   attributes=[{"code": "size", "datatype": D.SINGLE_VALUE_LIST, "description": "How big is it?",
                                "required": True, "values": [{"key": "small", "name": "Small"},
                                                             {"key": "large", "name": "Large"}],
                                "translations": {"es": {"description": "¿Qué tamaño tiene?",
                                                        "values": {"small": "Pequeño", "large": "Grande"}}}}])
    base, watcher, checked = live_server.url, PageWatcher(), []
    context = browser.new_context(locale="en-US")  # the browser asks for English
    page = watcher.watch(context.new_page())

    page.goto(f"{base}/services/")
    expect(page.get_by_role("heading", name="Services", level=1)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    # With the keyboard: the skip link, then the language switcher.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.language") == "es"
    switcher = page.get_by_role("button", name="Español")
    assert switcher.get_attribute("lang") == "es"
    with page.expect_navigation():  # the switcher posts, then comes back to the same page (its URL never changes)
        page.keyboard.press("Enter")
    assert page.url == f"{base}/services/"
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Servicios", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("lang", "en")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        checked.append(f"services {width}")
        watcher.check(page, f"services {width}")

    page.get_by_role("link", name="Bache").click()
    expect(page.get_by_role("heading", name="Bache", level=1)).to_be_visible()
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        checked.append(f"form {width}")
        watcher.check(page, f"form {width}")
    page.get_by_role("button", name="Enviar solicitud").click()  # empty: the errors come back in Spanish
    expect(page.locator("#error-summary")).to_contain_text("Elija una respuesta para «¿Qué tamaño tiene?».")
    page.get_by_label("Describa el problema o la solicitud").fill("Un bache profundo frente al número 12.")
    page.get_by_label("Grande").focus()  # USWDS draws its own radio: choose it with the keyboard
    page.keyboard.press("Space")
    page.get_by_label("Dirección o lugar").fill("12 Main Street")
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_role("button", name="Enviar solicitud").click()

    expect(page.get_by_role("heading", name="Recibimos su solicitud")).to_be_visible()
    expect(page.get_by_text("Obras Públicas revisará su solicitud de «Bache».")).to_be_visible()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        checked.append(f"confirmation {width}")
        watcher.check(page, f"confirmation {width}")
    number = page.locator(".cd-case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.contact.language == "es"
    context.close()

    [mail] = smtp_inbox.messages()
    assert mail["To"] == EMAIL and mail["Subject"] == f"[{number}] Bache"
    body = mail.get_content()
    assert body.startswith(f"Gracias. Recibimos su solicitud y le asignamos el número {number}.")
    assert f"/status/{case.public_id}/" in body and "Responda a este correo electrónico" in body
    watcher.assert_clean(6, checked)
