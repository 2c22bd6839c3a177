"""Branded error pages with DEBUG off: 404, 403 and a refused form (CSRF), public or staff, and a static-safe 500."""

from typing import Any

import pytest
from django.test import Client, RequestFactory

from civicdesk.agencies.models import StaffRole
from civicdesk.testing.factories import create_staff
from civicdesk.testing.signin import staff_login
from civicdesk.web.errors import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings: Any) -> None:
    settings.DEBUG = False
    settings.ROOT_URLCONF = "civicdesk.web.tests.error_urls"


def body(response: Any) -> str:
    return response.content.decode()


def test_a_missing_public_page_is_a_branded_404_with_ways_on(client: Client) -> None:
    response = client.get("/no-such-page/")
    html = body(response)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html and 'class="usa-header' in html  # the site header
    assert 'action="/services/"' in html and 'href="/status/"' in html and 'href="/"' in html
    assert 'alt="Search"' in html  # the search button has a name on phones too
    assert "Sign out" not in html


def test_a_missing_request_page_is_the_same_branded_404(client: Client) -> None:
    response = client.get("/status/NOT-A-REAL-PUBLIC-ID-00/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in body(response)
    assert "look the request up with its number" in body(response)


def test_a_missing_staff_page_keeps_the_staff_layout(client: Client) -> None:
    staff_login(client, create_staff("agent"))
    response = client.get("/staff/cases/CD-1999-000001/")
    html = body(response)
    assert response.status_code == 404 and "Page not found" in html
    assert "Sign out (agent)" in html and 'href="/staff/"' in html and "Go to the inbox" in html


def test_a_forbidden_page_is_a_branded_403_public_and_staff(client: Client) -> None:
    response = client.get("/forbidden/")
    assert response.status_code == 403 and "You cannot open this page" in body(response)
    staff_login(client, create_staff("agent"))
    response = client.get("/staff/outbox/")  # agents do not read the outbox
    html = body(response)
    assert response.status_code == 403 and "You cannot open this page" in html
    assert "another agency" in html and "Sign out (agent)" in html


def test_a_form_sent_without_its_security_token_gets_a_plain_explanation() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/status/", {"number": "CD-2026-000001", "email": "a@example.com"})
    html = body(response)
    assert response.status_code == 403 and "Your form could not be sent" in html
    assert "reload the page" in html and 'class="usa-header' in html


def test_a_server_error_is_a_branded_500(client: Client) -> None:
    client.raise_request_exception = False
    response = client.get("/boom/")
    html = body(response)
    assert response.status_code == 500 and "Something went wrong" in html
    assert 'href="/services/"' in html and 'href="/status/"' in html and "Riverbend" in html
    staff = client.get("/staff/boom/")
    assert staff.status_code == 500 and 'href="/staff/"' in body(staff)


@pytest.mark.django_db(transaction=False)
def test_the_500_page_needs_no_database_and_no_request_context(django_db_blocker: Any) -> None:
    request = RequestFactory().get("/anything/")  # no session, no user: the middleware may be what broke
    with django_db_blocker.block():  # any query would raise here
        response = server_error(request)
    assert response.status_code == 500 and "Something went wrong" in body(response)


def test_supervisors_reach_the_outbox_from_the_manage_page_and_agents_do_not(client: Client) -> None:
    staff_login(client, create_staff("boss", role=StaffRole.SUPERVISOR))
    assert 'href="/staff/manage/"' in body(client.get("/staff/"))
    assert 'href="/staff/outbox/"' in body(client.get("/staff/manage/"))
    staff_login(client, create_staff("agent"))
    assert 'href="/staff/manage/"' not in body(client.get("/staff/"))
