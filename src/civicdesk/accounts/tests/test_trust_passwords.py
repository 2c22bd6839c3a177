"""Issue #7 item 10: password rules are on, staff change their password, and a forgotten one is reset by email."""

import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

NEW = "river-otter-lantern-42"


def can_sign_in(username: str, password: str) -> bool:
    return authenticate(RequestFactory().post("/staff/login/"), username=username, password=password) is not None


@pytest.mark.parametrize("weak", ["demo", "short-pw-1", "123456789012", "password1234"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_long_uncommon_password_is_accepted():
    validate_password(NEW)


def test_a_password_like_the_username_is_refused(world):
    with pytest.raises(ValidationError):
        validate_password("wanda@staff.example", user=world.works_agent)


def test_staff_change_their_password(works_client, world):
    page = works_client.get("/staff/password/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="old_password"' in html and 'name="new_password1"' in html and 'name="new_password2"' in html
    response = works_client.post("/staff/password/", {"old_password": "demo", "new_password1": NEW,
                                                      "new_password2": NEW})
    assert response.status_code == 302
    assert works_client.get("/staff/").status_code == 200  # still signed in after the change
    assert can_sign_in("wanda", NEW) and not can_sign_in("wanda", "demo")


def test_a_weak_new_password_is_refused_with_the_reason(works_client, world):
    response = works_client.post("/staff/password/", {"old_password": "demo", "new_password1": "demo1",
                                                      "new_password2": "demo1"})
    assert response.status_code == 200
    assert "too short" in response.content.decode()
    assert can_sign_in("wanda", "demo")


def test_a_wrong_current_password_changes_nothing(works_client, world):
    response = works_client.post("/staff/password/", {"old_password": "nope", "new_password1": NEW,
                                                      "new_password2": NEW})
    assert response.status_code == 200 and "incorrectly" in response.content.decode()
    assert can_sign_in("wanda", "demo")


def test_changing_a_password_needs_sign_in(client, world):
    response = client.get("/staff/password/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_the_login_page_and_staff_header_link_to_the_password_pages(client, works_client, world):
    assert 'href="/staff/password/reset/"' in client.get("/staff/login/").content.decode()
    assert 'href="/staff/password/"' in works_client.get("/staff/").content.decode()


def reset_link(client: Client, email: str) -> str:
    response = client.post("/staff/password/reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/staff/password/reset/sent/"
    assert len(mail.outbox) == 1
    found = re.search(r"http://127\.0\.0\.1:8000(/staff/password/reset/[^\s]+/)", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    return found.group(1)


def test_a_reset_link_is_emailed_and_sets_a_new_password(client, world):
    link = reset_link(client, "wanda@staff.example")
    message = mail.outbox[0]
    assert message.to == ["wanda@staff.example"] and "wanda" in message.body
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302 and response["Location"] == "/staff/password/reset/done/"
    assert "sign in" in client.get("/staff/password/reset/done/").content.decode().lower()
    assert can_sign_in("wanda", NEW) and not can_sign_in("wanda", "demo")


def test_a_reset_link_works_once(client, world):
    link = reset_link(client, "wanda@staff.example")
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    again = Client().get(link, follow=True)
    assert "no longer valid" in again.content.decode()
    assert 'name="new_password1"' not in again.content.decode()


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, world):
    response = client.post("/staff/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/staff/password/reset/sent/"
    assert mail.outbox == []
    page = client.get("/staff/password/reset/sent/").content.decode()
    assert "If that address belongs to a staff account" in page


def test_accounts_without_a_staff_profile_get_no_reset_email(client, world):
    from django.contrib.auth.models import User

    User.objects.create_user("resident", "resident@example.com", "an-old-password-123")
    client.post("/staff/password/reset/", {"email": "resident@example.com"})
    assert mail.outbox == []
