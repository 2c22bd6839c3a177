"""Issue 9 items 6 and 7 in Chromium: a request page opened from the public map, the resident's comment and "this
is not fixed" (seen by staff), and "this is my problem too" with two listed requests; axe at 1280 and 390 px."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus, Direction
from civicdesk.conversations.replies import reply
from civicdesk.gis.demo import seed_boundaries
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = (1280, 390)


@pytest.fixture
def browser():
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def city(transactional_db):
    works = create_agency("public-works", "Public Works")
    create_agency("311", "Riverbend 311")
    service = create_service(works, "pothole", name="Pothole")
    seed_boundaries()
    first = create_case(service=service, lat=40.0003, lon=-75.0002, email="first@example.com")
    second = create_case(service=service, lat=40.0005, lon=-75.0004, email="second@example.com")
    reply(first, author=None, text="A crew fills this pothole on Tuesday.", public=True)
    return {"service": service, "first": first, "second": second, "works": works}


def png() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 200)).save(buffer, "PNG")
    return {"name": "still.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def at_width(browser, width):
    return browser.new_page(viewport={"width": width, "height": 900})


def test_a_request_page_opened_from_the_public_map(live_server, city, browser):
    first = city["first"]
    for width in WIDTHS:
        page = at_width(browser, width)
        errors = watch(page)
        page.goto(f"{live_server.url}/map/")
        expect(page.locator("[data-gis-status]")).to_have_text("2 requests on the map.")
        if width == 1280:  # from a marker's popup
            page.locator("#gis-map").scroll_into_view_if_needed()
            page.locator(".leaflet-marker-icon, .marker-cluster").first.click()
            if page.locator(".marker-cluster").count():  # the cluster zooms in: wait until it has (slow under load)
                markers = page.locator(".leaflet-marker-icon:not(.marker-cluster)")
                expect(markers.first).to_be_visible(timeout=15000)
                page.wait_for_function("() => !document.querySelector('.leaflet-zoom-anim')")
                for _attempt in range(3):  # under load a click can land as the map settles and open no popup
                    markers.first.click()
                    try:
                        expect(page.locator(".leaflet-popup-content a")).to_be_visible(timeout=5000)
                        break
                    except AssertionError:
                        continue
            page.locator(".leaflet-popup-content a").click()
        else:  # from the list under the map, which is compact on a phone
            item = page.locator(".cd-request-list__item").first
            assert item.bounding_box()["height"] < 90
            page.get_by_role("link", name=re.compile(rf"^Pothole\s*,\s*request {first.number}$")).click()
        expect(page.get_by_role("heading", name="Pothole", level=1)).to_be_visible()
        number = page.locator(".cd-case-number").inner_text().removeprefix("Request ")
        case = Case.objects.get(number=number)
        if case.pk == first.pk:
            expect(page.get_by_text("A crew fills this pothole on Tuesday.")).to_be_visible()
        expect(page.locator("#request-map.leaflet-container")).to_be_visible()
        expect(page.get_by_text("first@example.com")).to_have_count(0)
        assert axe(page) == [], width
        assert errors == []
        page.close()


def test_the_resident_comments_and_says_not_fixed_and_staff_see_it(live_server, city, browser):
    case = city["first"]
    create_staff("agent", agencies=[city["works"]])
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/status/")
    page.get_by_label("Request number").fill(case.number)
    page.get_by_label("Email address").fill("first@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Request {case.number}")).to_be_visible()
    expect(page.get_by_text("Public Works", exact=True)).to_be_visible()
    assert axe(page) == [], "status page at 390"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert axe(page) == [], "status page at 1280"
    page.get_by_label("Your comment").fill("It got deeper after the rain.")
    page.locator("#id_comment-photos").set_input_files(png())  # USWDS wraps the file input
    page.get_by_role("button", name="Send comment").click()
    thanks = page.locator("#update-sent")
    expect(thanks).to_be_focused()
    expect(thanks).to_contain_text("your comment was added")
    expect(page.locator("#updates")).to_contain_text("It got deeper after the rain.")
    message = case.messages.get(direction=Direction.INBOUND, body_text="It got deeper after the rain.")
    assert message.attachments.count() == 1

    change_status(Case.objects.get(pk=case.pk), actor=None, status=CaseStatus.RESOLVED)
    page.reload()
    expect(page.get_by_role("heading", name="Is the problem not fixed?")).to_be_visible()
    assert axe(page) == [], "resolved status page"
    page.get_by_label("What is still wrong? (optional)").fill("The patch already cracked.")
    page.get_by_role("button", name="This is not fixed").click()
    expect(page.locator("#update-sent")).to_contain_text("the request is open again")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.OPEN
    assert errors == []
    context.close()

    staff = browser.new_context()
    desk = staff.new_page()
    desk.goto(f"{live_server.url}/staff/login/")
    desk.locator("[name=username]").fill("agent")
    desk.locator("[name=password]").fill("demo")
    desk.locator("[type=submit]").first.click()
    desk.wait_for_load_state()
    desk.goto(f"{live_server.url}/staff/cases/{case.number}/")
    expect(desk.get_by_text("The resident said the problem is not fixed.")).to_be_visible()
    expect(desk.get_by_text("The patch already cracked.").first).to_be_visible()
    expect(desk.get_by_text("It got deeper after the rain.").first).to_be_visible()
    staff.close()


def test_this_is_my_problem_too_with_two_listed_requests(live_server, city, browser):
    first, second = city["first"], city["second"]
    page = browser.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/services/pothole/")
    page.locator("input[name=lat]").fill("40.0004")
    page.locator("input[name=lon]").fill("-75.0003")
    prompt = page.locator("#nearby-duplicates")
    expect(prompt.get_by_role("button", name="This is my problem too")).to_have_count(2)
    assert axe(page) == []
    def button(case):  # each names its request for screen readers: "This is my problem too: CD-..."
        found = page.locator(f"#follow-{case.public_id} button")
        expect(found).to_have_accessible_name(re.compile(rf"This is my problem too\s*:\s*{case.number}"))
        return found

    # the second button with the second box filled
    prompt.get_by_label(f"Your email address for updates on {second.number}").fill("me@example.com")
    button(second).click()
    done = page.locator(f"#follow-{second.public_id} [data-follow-result]")
    expect(done).to_contain_text(f"You now follow request {second.number}")
    expect(done).to_be_focused()
    # the first button with its box empty: the error shows next to it, and focus goes to its box
    button(first).click()
    box = prompt.get_by_label(f"Your email address for updates on {first.number}")
    expect(page.locator(f"#follow-error-{first.public_id}")).to_contain_text("Enter your email address")
    expect(box).to_be_focused()
    expect(box).to_have_attribute("aria-invalid", "true")
    assert axe(page) == []
    box.fill("me@example.com")
    button(first).click()
    expect(page.locator(f"#follow-{first.public_id}")).to_contain_text(f"You now follow request {first.number}")
    assert Case.objects.get(pk=first.pk).supporter_count == Case.objects.get(pk=second.pk).supporter_count == 1
    expected = [e for e in errors if "/follow" in e or "status of 422" in e]  # the empty box's 422, shown
    assert [e for e in errors if e not in expected] == []
    assert len([e for e in errors if e.startswith("422 ")]) == 1
