"""Issue #7 item 10: staff sessions end after SESSION_IDLE_MINUTES without activity; the inbox poll is no activity."""

import time
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

POLL_HEADERS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "inbox-poller",
                "HTTP_HX_CURRENT_URL": "http://testserver/staff/"}


def signed_in(username: str = "wanda") -> Client:
    client = Client()
    assert client.post("/staff/login/", {"username": username, "password": "demo"}).status_code == 302
    return client


def session_stamps() -> tuple[str, str]:
    from civicdesk.accounts.sessions import LAST_ACTIVITY_KEY, SIGNED_IN_KEY

    return LAST_ACTIVITY_KEY, SIGNED_IN_KEY


def age_session(client: Client, *, idle_minutes: float = 0, signed_in_hours: float = 0) -> None:
    """Move the session's recorded times into the past, as if the user had walked away."""
    last_key, signed_in_key = session_stamps()
    session = client.session
    now = time.time()
    session[last_key] = now - idle_minutes * 60
    session[signed_in_key] = now - max(signed_in_hours * 3600, idle_minutes * 60)
    session.save()


def test_a_session_idle_longer_than_the_limit_is_signed_out(world):
    client = signed_in()
    age_session(client, idle_minutes=31)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_activity_within_the_limit_keeps_the_session(world):
    client = signed_in()
    age_session(client, idle_minutes=29)
    assert client.get("/staff/").status_code == 200
    last_key, _ = session_stamps()
    assert time.time() - client.session[last_key] < 5  # the visit counted as activity


def test_the_idle_limit_is_a_setting(world, settings):
    settings.SESSION_IDLE_MINUTES = 5
    client = signed_in()
    age_session(client, idle_minutes=6)
    assert client.get("/staff/").status_code == 302


def test_live_polling_does_not_count_as_activity(world):
    client = signed_in()
    age_session(client, idle_minutes=29)
    last_key, _ = session_stamps()
    before = client.session[last_key]
    for _ in range(3):
        assert client.get("/staff/live/?since=0", **POLL_HEADERS).status_code in (200, 204)
    assert client.session[last_key] == before
    age_session(client, idle_minutes=31)
    response = client.get("/staff/live/?since=0", **POLL_HEADERS)
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/staff/login/?next=")


def test_a_session_ends_after_the_absolute_cap_even_when_active(world, settings):
    client = signed_in()
    age_session(client, idle_minutes=1, signed_in_hours=settings.SESSION_COOKIE_AGE / 3600 + 0.1)
    assert client.get("/staff/").status_code == 302


def test_the_session_cookie_is_capped_at_the_configured_hours():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


def test_the_session_settings_are_documented_in_env_example():
    text = (Path(settings.PROJECT_DIR) / ".env.example").read_text()
    assert "SESSION_IDLE_MINUTES=30" in text and "SESSION_MAX_HOURS=12" in text
