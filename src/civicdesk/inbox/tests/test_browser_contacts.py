"""Issue 10 item 13 in Chromium: search the contact directory, edit a contact, add and remove an identity, keep a
note, merge by search with a preview and undo it; axe at 1280 and 390 px; the directory by keyboard."""

import pytest
from playwright.sync_api import Page, expect

from civicdesk.channels.events import SenderIdentity
from civicdesk.contacts.models import Contact, ContactMerge, Identity
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def people(world):
    """Rosa (with a phone), Omar, and Rosa again under a work address (a likely duplicate): all Public Works."""
    rosa = create_case(service=world.pothole, subject="Hole on Elm", email="rosa.tester@example.com",
                       contact_name="Rosa Tester", extra_identities=[SenderIdentity("phone", "+12155550123")]).contact
    omar = create_case(service=world.pothole, subject="Light out", email="omar@example.org",
                       contact_name="Omar Diaz").contact
    twin = create_case(service=world.pothole, subject="Hubcap", email="rosa.tester@work.example",
                       contact_name="R. Tester").contact
    for n in range(4):
        create_case(service=world.pothole, subject=f"Hole {n}", email=f"resident{n}@example.com")
    return {"rosa": rosa, "omar": omar, "twin": twin}


def sign_in(page: Page, url: str, path: str = "/staff/contacts/") -> None:
    page.goto(f"{url}{path}")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()


def directory_rows(page: Page) -> list[str]:
    return page.locator("tr[data-contact] th a").all_inner_texts()


def test_search_edit_identities_and_notes(live_server, transactional_db, world, browser, people):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server.url)
    expect(page.get_by_role("link", name="Contacts", exact=True)).to_have_attribute("aria-current", "page")
    assert len(directory_rows(page)) == 7
    assert axe(page) == []
    for q, expected in [("(215) 555-0123", ["Rosa Tester"]), ("omar@example.org", ["Omar Diaz"]),
                        ("tester", ["R. Tester", "Rosa Tester"])]:
        page.get_by_label("Search contacts").fill(q)
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.locator("caption")).to_contain_text(f"of {len(expected)}")
        assert directory_rows(page) == expected
    page.get_by_role("link", name="Rosa Tester").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Tester")
    expect(page.get_by_role("heading", name="Possible same person")).to_be_visible()
    assert axe(page) == []

    page.get_by_text("Edit name, type and language").click()
    page.get_by_label("Name", exact=True).fill("Rosa M. Tester")
    page.get_by_label("Type").select_option("business")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved the name, type and language.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa M. Tester")
    expect(page.locator("#contact-details dl")).to_contain_text("Business")
    expect(page.locator("#contact-details dl")).to_contain_text("Español")

    page.get_by_text("Add an email, phone or handle").click()
    page.get_by_label("Kind").select_option("x")
    page.get_by_label("Address, number or handle").fill("Rosa_T")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#identities")).to_contain_text("@rosa_t")
    page.get_by_text("Add an email, phone or handle").click()
    page.get_by_label("Kind").select_option("email")
    page.get_by_label("Address, number or handle").fill("omar@example.org")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".usa-error-message")).to_have_text("omar@example.org already belongs to another contact.")
    expect(page.get_by_role("link", name="merge Omar Diaz into this contact")).to_be_visible()
    assert axe(page) == []  # the refused form, open, with its error
    page.goto(f"{live_server.url}/staff/contacts/{people['rosa'].pk}/")
    page.get_by_role("button", name="Remove @rosa_t").click()
    expect(page.get_by_text("Removed @rosa_t.")).to_be_visible()
    expect(page.locator("#identities")).not_to_contain_text("@rosa_t")
    assert not Identity.objects.filter(value="@rosa_t").exists()

    page.get_by_label("Add a note").fill("Prefers a call after 5pm.")
    page.get_by_role("button", name="Add note").click()
    expect(page.locator(".cd-notes")).to_contain_text("Prefers a call after 5pm.")
    expect(page.locator(".cd-timeline")).to_contain_text("Added a note")
    assert [e for e in errors if "favicon" not in e and "409" not in e] == []


def test_merge_by_search_with_a_preview_and_undo(live_server, transactional_db, world, browser, people):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    page.on("dialog", lambda dialog: dialog.accept())
    rosa, omar = people["rosa"], people["omar"]
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/staff/contacts/{rosa.pk}/")
    page.get_by_role("link", name="Merge another contact into this one").click()
    page.get_by_label("Find the other contact").fill("omar")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="Preview merging Omar Diaz into this contact").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("omar@example.org")
    expect(preview).to_contain_text("1 case")
    assert axe(page) == []
    page.get_by_role("button", name="Merge Omar Diaz into Rosa Tester").click()
    expect(page.get_by_text("Omar Diaz was merged into this contact.")).to_be_visible()
    expect(page.locator("#identities")).to_contain_text("omar@example.org")
    assert Contact.objects.get(pk=omar.pk).merged_into_id == rosa.pk
    page.get_by_role("button", name=f"Undo merge of contact {omar.pk} (Omar Diaz)").click()
    expect(page.get_by_text("The merge of Omar Diaz was undone.")).to_be_visible()
    assert Contact.objects.get(pk=omar.pk).merged_into_id is None
    assert ContactMerge.objects.get().undone_at is not None

    # a suggested duplicate leads to the same preview
    page.get_by_role("link", name="Compare and merge R. Tester").click()
    expect(page.locator("#preview")).to_contain_text("rosa.tester@work.example")
    assert [e for e in errors if "favicon" not in e] == []


def test_the_directory_and_contact_page_at_390_px_and_by_keyboard(live_server, transactional_db, world, browser,
                                                                  people):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url)
    assert axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/staff/contacts/{people['rosa'].pk}/")
    page.get_by_text("Edit name, type and language").click()
    page.get_by_text("Add an email, phone or handle").click()
    assert axe(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/staff/contacts/{people['rosa'].pk}/merge?q=tester&source={people['twin'].pk}")
    assert axe(page) == []

    # keyboard only: search the directory and open a contact
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/contacts/")
    page.get_by_label("Search contacts").focus()
    page.keyboard.type("0123")
    page.keyboard.press("Enter")
    expect(page.locator("caption")).to_contain_text("of 1")
    page.get_by_label("Search contacts").focus()  # the page reloaded with the results: from the search box on
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # "Clear search"
    page.keyboard.press("Tab")  # the scrollable table region
    page.keyboard.press("Tab")  # the contact's link
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Rosa Tester"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa Tester")
