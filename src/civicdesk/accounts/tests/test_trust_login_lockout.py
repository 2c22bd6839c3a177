"""Issue #7 items 10 and 12: staff and admin sign-in is throttled per username and per address, with an unlock."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

ENV_EXAMPLE = Path(settings.PROJECT_DIR) / ".env.example"


def fail(client: Client, username: str, times: int, url: str = "/staff/login/", ip: str = "10.0.0.1") -> list[int]:
    """Post a wrong password `times` times; the status codes (200: the form again, 429: locked out)."""
    return [client.post(url, {"username": username, "password": "wrong-password"}, REMOTE_ADDR=ip).status_code
            for _ in range(times)]


def sign_in(client: Client, username: str = "wanda", url: str = "/staff/login/", ip: str = "10.0.0.1"):
    return client.post(url, {"username": username, "password": "demo"}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, world):
    assert fail(client, "wanda", 5) == [200, 200, 200, 200, 429]  # the fifth failure already shows the lockout
    response = sign_in(client)  # even the right password is refused now
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert 'href="/staff/password/reset/"' in page
    assert client.get("/staff/").status_code == 302  # not signed in


def test_four_wrong_passwords_still_let_the_right_one_in(client, world):
    fail(client, "wanda", 4)
    assert sign_in(client).status_code == 302


def test_a_locked_username_stays_locked_from_another_address(client, world):
    fail(client, "wanda", 5, ip="10.0.0.1")
    assert sign_in(Client(), ip="10.9.9.9").status_code == 429
    assert sign_in(Client(), "walt", ip="10.9.9.9").status_code == 302  # other staff are not affected


def test_one_address_trying_many_usernames_is_locked_out(client, world):
    for name in ["amy", "bob", "cy", "dee", "eve"]:
        fail(client, name, 1, ip="10.0.0.7")
    assert sign_in(Client(), "wanda", ip="10.0.0.7").status_code == 429
    assert sign_in(Client(), "wanda", ip="10.0.0.8").status_code == 302


def test_the_django_admin_login_is_throttled_the_same_way(client, world):
    fail(client, "boss", 5, url="/admin/login/")
    response = sign_in(client, "boss", url="/admin/login/")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_the_lock_lifts_after_the_cool_off_time(client, world):
    from axes.models import AccessAttempt

    fail(client, "wanda", 5)
    assert sign_in(client).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in(client).status_code == 302


def test_the_limits_come_from_the_environment_settings(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 2
    fail(client, "wanda", 2)
    assert sign_in(client).status_code == 429


def test_the_unlock_command_lets_a_locked_user_in_again(client, world):
    fail(client, "wanda", 5)
    call_command("axes_reset_username", "wanda")
    assert sign_in(client).status_code == 302


def test_an_admin_unlocks_a_user_from_the_admin_site(client, world):
    from axes.models import AccessAttempt

    from civicdesk.testing.signin import verified_login

    fail(client, "wanda", 5)
    admin = Client()
    verified_login(admin, world.admin)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "wanda" in listing.content.decode()
    ids = [str(pk) for pk in AccessAttempt.objects.filter(username="wanda").values_list("pk", flat=True)]
    admin.post("/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not AccessAttempt.objects.filter(username="wanda").exists()
    assert sign_in(client).status_code == 302


def test_failures_are_recorded_without_credentials_in_the_logs(client, world, caplog):
    from axes.models import AccessAttempt

    caplog.set_level("DEBUG")
    for _ in range(6):
        client.post("/staff/login/", {"username": "Typed-My-Pass-Here", "password": "s3cret-Passw0rd"})
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start >= 5
    assert "s3cret-Passw0rd" not in attempt.post_data
    assert "s3cret-Passw0rd" not in caplog.text and "Typed-My-Pass-Here" not in caplog.text


def test_every_login_limit_is_documented_in_env_example():
    text = ENV_EXAMPLE.read_text()
    for name in ["AXES_FAILURE_LIMIT=5", "AXES_COOLOFF_TIME=15"]:
        assert name in text
