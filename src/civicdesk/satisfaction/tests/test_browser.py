"""The survey, "Is it fixed?" and the staff case page's feedback in Chromium: axe at 1280 and 390 px, answered by
keyboard alone, in English and Spanish."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from civicdesk.cases.models import CaseStatus
from civicdesk.satisfaction import actions
from civicdesk.satisfaction.models import AskStatus, FixCheck, Survey
from civicdesk.satisfaction.tests.conftest import resolve
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_case

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = [1280, 390]


@pytest.fixture
def browser() -> Any:
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def asked(transactional_db: Any, world: Any) -> dict[str, Any]:
    english = resolve(create_case(email="rosa@example.com", agency_slug="public-works", subject="Streetlight out"),
                      world.works_agent)
    spanish = resolve(create_case(email="lucia@example.com", agency_slug="public-works", subject="Bache",
                                  language="es"), world.works_agent)
    FixCheck.objects.update(due_at=english.resolved_at)
    for check in FixCheck.objects.all():
        actions.send_fix_check(check.pk)
    return {"case": english, "survey": Survey.objects.get(case=english), "check": FixCheck.objects.get(case=english),
            "es_survey": Survey.objects.get(case=spanish), "es_check": FixCheck.objects.get(case=spanish)}


def clean(page: Page, what: str) -> None:
    assert axe(page) == [], what


@pytest.mark.parametrize("width", WIDTHS)
def test_the_survey_pages_pass_axe_and_are_answered_by_keyboard(live_server, browser, asked, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors = watch(page)
    page.goto(f"{live_server.url}/survey/{asked['survey'].token}/")
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    clean(page, "survey")
    page.get_by_role("button", name="Send my answer").click()  # nothing chosen: the error summary
    expect(page.get_by_role("alert")).to_contain_text("Choose a score from 1 to 5.")
    clean(page, "survey with an error")
    page.locator("#id_score_0").focus()
    page.keyboard.press("ArrowDown")  # 5 -> 4, as a radio group moves
    page.keyboard.press("Tab")
    page.keyboard.type("Quick and friendly.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you for your answer")).to_be_visible()
    clean(page, "thanks")
    survey = Survey.objects.get(pk=asked["survey"].pk)
    assert (survey.score, survey.comment) == (4, "Quick and friendly.")
    page.goto(f"{live_server.url}/survey/{asked['survey'].token}/")
    expect(page.get_by_role("heading", name="You already answered")).to_be_visible()
    clean(page, "already answered")
    page.goto(f"{live_server.url}/fixed/not-a-token/")
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    clean(page, "bad link")

    page.goto(f"{live_server.url}/fixed/{asked['check'].token}/")
    expect(page.get_by_role("heading", name="Is it fixed?")).to_be_visible()
    clean(page, "is it fixed")
    page.get_by_text("No, it is not fixed", exact=True).click()  # USWDS draws the radio on its label
    page.get_by_label("What is still wrong, or anything else? (optional)").fill("Still dark at night.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("We reopened your request")).to_be_visible()
    asked["case"].refresh_from_db()
    assert asked["case"].status == CaseStatus.OPEN
    assert [e for e in errors if "409" not in e and "404" not in e and "400" not in e] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_spanish_residents_pages_are_in_spanish_and_pass_axe(live_server, browser, asked, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/survey/{asked['es_survey'].token}/")
    expect(page.get_by_role("heading", name="¿Cómo lo hicimos?")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    clean(page, "encuesta")
    page.goto(f"{live_server.url}/fixed/{asked['es_check'].token}/")
    expect(page.get_by_role("heading", name="¿Está resuelto?")).to_be_visible()
    clean(page, "¿está resuelto?")
    page.get_by_text("Sí, está resuelto", exact=True).click()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    expect(page.get_by_role("heading", name="Gracias por su respuesta")).to_be_visible()
    assert FixCheck.objects.get(pk=asked["es_check"].pk).status == AskStatus.ANSWERED


@pytest.mark.parametrize("width", WIDTHS)
def test_the_staff_case_page_shows_the_score_comment_and_time_and_passes_axe(live_server, browser, asked, width):
    actions.answer_survey(asked["survey"], score=2, comment="Took three weeks.")
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{live_server.url}/staff/")
    page.get_by_label("Username").fill("wanda")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Inbox")).to_be_visible()
    page.goto(f"{live_server.url}/staff/cases/{asked['case'].number}/")
    feedback = page.locator("#case-feedback")
    expect(feedback).to_contain_text("2 out of 5")
    expect(feedback).to_contain_text("Took three weeks.")
    expect(feedback).to_contain_text("Asked by email on")
    expect(page.locator("main")).to_contain_text("The resident rated the handling of this case 2 out of 5")
    expect(page.locator("main")).to_contain_text("Satisfaction survey sent to the resident by email")
    clean(page, "case page")
