"""Staff sign-in and sign-out, and that every staff page needs a signed-in user with a staff profile."""

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db


def test_login_page_has_username_password_and_sign_in_button(client):
    page = client.get("/staff/login/").content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert ">Sign in</button>" in page
    assert "<script>" not in page and "style=" not in page


def test_staff_signs_in_and_lands_in_the_inbox(client, world):
    response = client.post("/staff/login/", {"username": "wanda", "password": "demo"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, world):
    response = client.post("/staff/login/", {"username": "wanda", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_user_without_staff_profile_cannot_sign_in_or_use_pages(client, world):
    User.objects.create_user("resident", "r@example.com", "pw")
    response = client.post("/staff/login/", {"username": "resident", "password": "pw"})
    assert "no access to the staff pages" in response.content.decode()
    client.force_login(User.objects.get(username="resident"))
    assert client.get("/staff/").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get("/staff/?status=new")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=")
    for url in ["/staff/cases/CD-2026-000001/", "/staff/contacts/1/", "/staff/attachments/1/"]:
        assert client.get(url).status_code == 302


def test_an_expired_session_on_a_live_poll_redirects_the_page(client, world):
    response = client.get("/staff/live/?since=0", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/staff/?status=new")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/staff/login/?next=%2Fstaff%2F%3Fstatus%3Dnew"


def test_superuser_without_profile_is_allowed_after_two_factor(client, world):
    from civicdesk.testing.signin import verified_login

    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    assert client.get("/staff/")["Location"].startswith("/staff/otp/setup/")  # superusers always need a code
    verified_login(client, root)
    assert client.get("/staff/").status_code == 200


def test_logout_is_a_post(client, world):
    client.force_login(world.works_agent)
    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302
