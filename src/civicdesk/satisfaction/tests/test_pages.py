"""The public pages: the token is the credential, used once; bad or reused tokens get a clear 4xx page; CSRF, rate
limits and validation; the question's language; nothing personal beyond the case number and subject."""

import pytest
from django.test import Client

from civicdesk.satisfaction.models import AskStatus, Survey, SurveyOptOut
from civicdesk.satisfaction.tests.conftest import resolve
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(world):
    case = create_case(email="rosa.tester@example.com", agency_slug="public-works", subject="Streetlight out",
                       contact_name="Rosa Tester", body="My phone is 215-555-0100")
    return Survey.objects.get(case=resolve(case, world.works_agent))


def test_the_survey_page_shows_the_case_number_and_subject_and_nothing_personal(client, survey):
    page = client.get(f"/survey/{survey.token}/")
    html = page.content.decode()
    assert page.status_code == 200 and survey.case.number in html and "Streetlight out" in html
    for personal in ("rosa.tester", "Rosa Tester", "215-555-0100"):
        assert personal not in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_an_answer_is_taken_once_and_a_reused_link_gets_a_409_page(client, survey):
    answer = client.post(f"/survey/{survey.token}/", {"score": "5", "comment": "Fixed in a day!"})
    assert answer.status_code == 200 and "Thank you for your answer" in answer.content.decode()
    survey.refresh_from_db()
    assert (survey.status, survey.score, survey.comment) == (AskStatus.ANSWERED, 5, "Fixed in a day!")
    again = client.post(f"/survey/{survey.token}/", {"score": "1"})
    assert again.status_code == 409 and "You already answered" in again.content.decode()
    assert client.get(f"/survey/{survey.token}/").status_code == 409
    survey.refresh_from_db()
    assert survey.score == 5


@pytest.mark.parametrize("token", ["nope", "x" * 200, "%00", "a/b", "' OR 1=1"])
def test_a_bad_token_gets_a_clear_404_page_never_a_500(client, db, token):
    for url in (f"/survey/{token}/", f"/fixed/{token}/", f"/surveys/stop/{token}/"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        if response.status_code == 404 and "text/html" in response["Content-Type"]:
            assert "does not work" in response.content.decode() or "not found" in response.content.decode().lower()


@pytest.mark.parametrize("data", [{}, {"score": "9"}, {"score": "abc"}, {"score": "3", "comment": "x" * 2001}])
def test_a_bad_answer_is_a_400_with_the_form_again_and_nothing_is_taken(client, survey, data):
    response = client.post(f"/survey/{survey.token}/", data)
    assert response.status_code == 400 and 'id="error-summary"' in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == AskStatus.SENT


def test_a_post_without_the_csrf_token_is_refused(survey):
    response = Client(enforce_csrf_checks=True).post(f"/survey/{survey.token}/", {"score": "4"})
    assert response.status_code == 403
    survey.refresh_from_db()
    assert survey.status == AskStatus.SENT


def test_answers_are_rate_limited_per_address(client, survey, settings):
    settings.SURVEY_ANSWERS_PER_HOUR = 2
    for _ in range(2):
        assert client.post(f"/survey/{survey.token}/", {"score": "9"}).status_code == 400
    limited = client.post(f"/survey/{survey.token}/", {"score": "4"})
    assert limited.status_code == 429 and limited["Retry-After"]
    survey.refresh_from_db()
    assert survey.status == AskStatus.SENT


def test_a_spanish_question_opens_in_spanish_unless_the_visitor_chose_english(client, world):
    case = create_case(email="lucia@example.com", agency_slug="public-works", language="es")
    survey = Survey.objects.get(case=resolve(case, world.works_agent))
    page = client.get(f"/survey/{survey.token}/")
    assert "¿Cómo lo hicimos?" in page.content.decode() and 'lang="es"' in page.content.decode()
    client.cookies["django_language"] = "en"
    assert "How did we do?" in client.get(f"/survey/{survey.token}/").content.decode()


def test_a_score_in_the_link_is_chosen_already(client, survey):
    html = client.get(f"/survey/{survey.token}/?score=4").content.decode()
    assert 'value="4"\n        checked' in html or 'value="4"\n        \n        checked' in html or \
        html.split('value="4"')[1].split(">")[0].strip().startswith("checked")


def test_the_stop_link_asks_first_then_stops_every_later_survey(client, survey):
    assert client.get(f"/surveys/stop/{survey.token}/").status_code == 200
    assert not SurveyOptOut.objects.exists()
    done = client.post(f"/surveys/stop/{survey.token}/")
    assert done.status_code == 200 and "no more surveys" in done.content.decode()
    assert SurveyOptOut.objects.get().contact == survey.contact


def test_the_status_page_of_a_web_case_asks_its_verified_resident(client, world):
    case = create_case(email="", agency_slug="public-works")
    survey = Survey.objects.get(case=resolve(case, world.works_agent))
    session = client.session
    session["portal_verified_cases"] = [case.public_id]
    session.save()
    html = client.get(f"/status/{case.public_id}/").content.decode()
    assert "How did we do?" in html and f'action="/survey/{survey.token}/"' in html
    stranger = Client().get(f"/status/{case.public_id}/", follow=True).content.decode()
    assert survey.token not in stranger  # the public page of the request never shows it
