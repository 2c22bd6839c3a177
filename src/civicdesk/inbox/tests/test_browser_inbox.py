"""The inbox in Chromium: every tab, pager link and filter changes the rows as it should; the table fits 1280 px;
saved views; live arrivals are highlighted, announced and counted; axe at 1280 and 390 px; keyboard use."""

import re

import pytest
from playwright.sync_api import Page, expect

from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Case
from civicdesk.testing.browser import axe, free_port, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LIVE_TIMEOUT_MS = 3000


@pytest.fixture
def browser(settings):
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast and stay on our side
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def desk(world):
    """56 Public Works cases (every 4th by email; every 3rd Wanda's, the next Walt's, the rest unassigned; all in
    the road crew's queue), one transferred to Parks (Wanda may only read it) and one Parks case she cannot see."""
    works = []
    for i in range(56):
        case = create_case(channel="email" if i % 4 == 0 else "web", service=world.pothole,
                           subject="Hubcap crater" if i == 7 else f"Pothole {i}", email=f"r{i}@example.com")
        if i % 3 != 2:
            actions.assign(case, actor=world.admin, assignee=world.works_agent if i % 3 == 0 else world.works_agent2,
                           team=world.works_team)
        works.append(case)
    moved = create_case(service=world.pothole, subject="Path in the park", email="moved@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    create_case(service=world.tree, subject="Parks only", email="parks@example.com")
    newest = [c.number for c in reversed(works)]
    by_index = {c.number: i for i, c in enumerate(works)}
    return {"all": newest, "moved": moved.number, "by_index": by_index, "works": works}


def rows(page: Page) -> list[str]:
    return page.locator("#case-list tr[data-case]").evaluate_all("rows => rows.map(r => r.dataset.case)")


def sign_in(page: Page, url: str) -> None:
    page.goto(f"{url}/staff/")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()


def go(page: Page, target) -> None:
    """Click a link or button (or press Enter on it) and wait for the page it loads."""
    with page.expect_navigation():
        target.click() if not isinstance(target, str) else page.keyboard.press(target)


def tab(page: Page, name: str):
    return page.get_by_role("navigation", name="Inbox views").get_by_role("link", name=re.compile(rf"^{name} \d"))


def test_every_tab_pager_link_and_filter_changes_the_rows(live_server, transactional_db, world, browser, desk):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url)
    everything, where = desk["all"], desk["by_index"]
    unassigned = [n for n in everything if where[n] % 3 == 2]
    mine = [n for n in everything if where[n] % 3 == 0]

    expected = {"Unassigned": unassigned, "Mine": mine, "My team": everything[:50], "All": everything[:50],
                "Read only": [desk["moved"]]}
    totals = {"Unassigned": 18, "Mine": 19, "My team": 56, "All": 56, "Read only": 1}
    for name, numbers in expected.items():
        go(page, tab(page, name))
        expect(tab(page, name)).to_have_attribute("aria-current", "page")
        expect(tab(page, name)).to_have_text(f"{name} {totals[name]}")
        assert rows(page) == numbers, name
    expect(page.locator("tr[data-case] .cd-read-only")).to_have_count(1)

    # the pager: numbered pages, first and last, previous and next
    go(page, tab(page, "All"))
    expect(page.locator("caption")).to_have_text("Cases 1–50 of 56")
    go(page, page.get_by_role("link", name="Last page, page 2"))
    assert rows(page) == everything[50:]
    expect(page.locator("caption")).to_have_text("Cases 51–56 of 56")
    go(page, page.get_by_role("link", name="Previous page"))
    assert rows(page) == everything[:50]
    go(page, page.get_by_role("link", name="Next page"))
    assert rows(page) == everything[50:]
    go(page, page.get_by_role("link", name="First page, page 1"))
    assert rows(page) == everything[:50]
    page.goto(f"{live_server.url}/staff/?view=all&page=7")
    expect(page.get_by_text("No cases on page 7.")).to_be_visible()
    go(page, page.get_by_role("link", name="Go to the last page"))
    assert rows(page) == everything[50:]

    # filters: a channel behind "More filters", kept by the tabs; the sort; the search; clearing
    go(page, tab(page, "Unassigned"))
    page.get_by_text("More filters").click()
    page.get_by_label("Channel").select_option("email")
    go(page, page.get_by_role("button", name="Apply filters").first)
    assert rows(page) == [n for n in unassigned if where[n] % 4 == 0] and len(rows(page)) == 4
    expect(page.get_by_text("More filters (1 in use)")).to_be_visible()
    go(page, tab(page, "Mine"))
    assert "channel=email" in page.url and rows(page) == [n for n in mine if where[n] % 4 == 0]
    expect(tab(page, "Mine")).to_have_text("Mine 19")  # a view's count is its own, before other filters
    expect(page.locator("caption")).to_have_text("Cases 1–5 of 5")
    page.get_by_label("Sort").select_option("oldest")
    go(page, page.get_by_role("button", name="Apply filters").first)
    assert rows(page) == list(reversed([n for n in mine if where[n] % 4 == 0]))
    go(page, page.get_by_role("link", name="Clear filters"))
    assert rows(page) == mine and "view=mine" in page.url
    go(page, tab(page, "All"))
    page.get_by_label("Search cases").fill("hubcap")
    go(page, "Enter")
    assert rows(page) == [desk["works"][7].number]
    expect(page.locator("caption")).to_have_text("Cases 1–1 of 1")
    assert [e for e in errors if "favicon" not in e] == []


def test_the_table_fits_saved_views_work_and_live_arrivals_are_announced(live_server, transactional_db, world,
                                                                          browser, desk):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = watch(page)
    sign_in(page, live_server.url)
    # at 1280 px no column is off-screen and the filters take little room
    table = page.locator(".cd-case-table")
    fits = page.evaluate("() => { const c = document.querySelector('.cd-table-container'); "
                         "return c.scrollWidth <= c.clientWidth && document.documentElement.scrollWidth <= 1280; }")
    assert fits
    for header in ("Contact", "Created"):
        box = page.get_by_role("columnheader", name=header).bounding_box()
        assert box and box["x"] + box["width"] <= 1280
    first_row = page.locator("tr[data-case]").first.bounding_box()
    bar = page.get_by_role("search").bounding_box()
    assert first_row and bar and first_row["y"] - bar["y"] < 200, "the filters push the list down"
    expect(table.locator("td.cd-case-table__contact").first).to_have_text(re.compile(r"@example\.com$"))
    assert axe(page) == []

    # save the current filters as a view, use it, delete it
    page.get_by_label("Status", exact=True).select_option("new")
    page.get_by_role("button", name="Apply filters").first.click()
    page.get_by_text("Save or delete views").click()
    page.get_by_label("Save these filters as").fill("New ones")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("Saved the view “New ones”.")).to_be_visible()
    saved = page.get_by_role("navigation", name="Inbox views").get_by_role("link", name="Saved view: New ones")
    expect(saved).to_have_attribute("aria-current", "page")
    tab(page, "All").click()
    saved.click()
    expect(page.get_by_label("Status", exact=True)).to_have_value("new")
    new = Case.objects.filter(agency=world.works, status="new").values_list("number", flat=True)
    assert set(rows(page)) == set(new)
    assert axe(page) == []
    page.get_by_text("Save or delete views").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete the view “New ones”").click()
    expect(page.get_by_text("Deleted the view “New ones”.")).to_be_visible()
    expect(saved).to_have_count(0)

    # a case that arrives live: highlighted, marked "New", announced politely, and counted
    page.goto(f"{live_server.url}/staff/")
    expect(tab(page, "All")).to_have_text("All 56")
    arrived = create_case(channel="email", service=world.pothole, subject="Fresh sinkhole", email="new@example.com")
    row = page.locator(f'tr[data-case="{arrived.number}"]')
    expect(row).to_have_class(re.compile("cd-row--new"), timeout=LIVE_TIMEOUT_MS)
    expect(row.locator(".cd-new")).to_have_text("New")
    expect(page.locator("#inbox-announcer")).to_have_text(f"New case in this list: {arrived.number} Fresh sinkhole")
    expect(page.locator("#inbox-announcer")).to_have_attribute("aria-live", "polite")
    expect(tab(page, "All")).to_have_text("All 57")
    expect(tab(page, "Unassigned")).to_have_text("Unassigned 19")
    expect(page.locator("caption")).to_have_text("Cases 1–50 of 57")
    assert [e for e in errors if "favicon" not in e] == []


def test_the_inbox_at_390_px_and_by_keyboard(live_server, transactional_db, world, browser, desk):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sign_in(page, live_server.url)
    assert axe(page) == []
    page.get_by_text("More filters").click()
    page.get_by_text("Save or delete views").click()
    assert axe(page) == []
    # keyboard only: from the search box, Tab back to the tabs and open "Mine" with Enter
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/staff/")
    tab(page, "My team").focus()
    presses, focused = 0, ""
    while not focused.startswith("Read only") and presses < 8:  # All and Breaching soon lie between
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused.startswith("Read only"), focused
    for _ in range(presses + 1):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()").startswith("Mine")
    page.keyboard.press("Enter")
    expect(tab(page, "Mine")).to_have_attribute("aria-current", "page")
    page.locator("tr[data-case] a").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("CD-")
