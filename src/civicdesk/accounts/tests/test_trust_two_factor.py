"""Issue #7 item 11: one-time codes (TOTP) for staff, required for admins (all with MFA_REQUIRED), recovery codes."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from civicdesk.agencies.models import StaffRole
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db

GATED = ["/staff/", "/staff/cases/CD-2026-000001/", "/staff/map/", "/staff/password/", "/admin/",
         "/admin/auth/user/"]


def code_for(device, offset: int = 0) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


def password_login(username: str, url: str = "/staff/login/") -> Client:
    client = Client()
    response = client.post(url, {"username": username, "password": "demo"})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def pending_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user=user, confirmed=False)


def forgive_wrong_codes(user) -> None:
    """Clear django-otp's back-off after a wrong code (it refuses every code for 1 s, then 2 s, 4 s, ...)."""
    from django_otp import devices_for_user

    for device in devices_for_user(user):
        device.throttle_reset()


def enrol(client: Client, user) -> list[str]:
    """Set up an authenticator through the pages and return the recovery codes shown once."""
    page = client.get("/staff/otp/setup/")
    assert page.status_code == 200
    device = pending_device(user)
    response = client.post("/staff/otp/setup/", {"code": code_for(device)})
    assert response.status_code == 200, response.content.decode()[:500]
    codes = re.findall(r'<li class="cd-recovery-code"><code>([a-z0-9]+)</code></li>', response.content.decode())
    assert len(codes) == 10
    return codes


def test_an_admin_is_sent_to_set_up_two_factor_after_the_password(world):
    client = password_login("boss")
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/staff/otp/setup/?next=%2Fstaff%2F"


def test_until_enrolled_an_admin_reaches_nothing_else(world):
    client = password_login("boss")
    for url in GATED:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/otp/setup/"), url


def test_the_django_admin_login_also_leads_to_two_factor(world):
    client = password_login("boss", url="/admin/login/")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/staff/otp/setup/?next=%2Fadmin%2F"


def test_setup_shows_an_inline_qr_and_the_secret_and_a_code_confirms_it(world):
    client = password_login("boss")
    page = client.get("/staff/otp/setup/").content.decode()
    device = pending_device(world.admin)
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert "<svg" in page and secret in page.replace(" ", "")
    assert "<img" not in page.split("<main", 1)[1] and "style=" not in page
    wrong = client.post("/staff/otp/setup/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    pending_device(world.admin).throttle_reset()
    codes = enrol(client, world.admin)
    assert len(set(codes)) == 10
    for url in GATED[:1] + GATED[-2:]:
        assert client.get(url).status_code == 200, url


def test_a_pending_setup_keeps_its_secret_across_reloads(world):
    client = password_login("boss")
    client.get("/staff/otp/setup/")
    first = pending_device(world.admin).key
    client.get("/staff/otp/setup/")
    assert pending_device(world.admin).key == first


def test_an_enrolled_admin_needs_a_current_code_after_the_password(world):
    enrol(password_login("boss"), world.admin)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=world.admin, confirmed=True)
    client = password_login("boss")
    response = client.get("/staff/cases/x/")
    assert response.status_code == 302 and response["Location"] == "/staff/otp/?next=%2Fstaff%2Fcases%2Fx%2F"
    form = client.get("/staff/otp/")
    assert form.status_code == 200 and 'name="code"' in form.content.decode()
    wrong = client.post("/staff/otp/?next=/staff/", {"code": "12345"})
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    forgive_wrong_codes(world.admin)
    right = client.post("/staff/otp/?next=/staff/", {"code": code_for(device, offset=1)})
    assert right.status_code == 302 and right["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_guessing_is_slowed_down_after_a_wrong_code(world):
    codes = enrol(password_login("boss"), world.admin)
    client = password_login("boss")
    client.post("/staff/otp/", {"code": "wrongwrong"})
    response = client.post("/staff/otp/", {"code": codes[0]})  # even a right code waits out the back-off
    assert response.status_code == 200 and "Too many wrong codes. Wait" in response.content.decode()
    assert client.get("/staff/").status_code == 302
    forgive_wrong_codes(world.admin)
    assert client.post("/staff/otp/", {"code": codes[0]}).status_code == 302


def test_a_code_for_another_site_is_not_followed(world):
    codes = enrol(password_login("boss"), world.admin)
    client = password_login("boss")
    response = client.post("/staff/otp/?next=https://evil.example/", {"code": codes[0]})
    assert response.status_code == 302 and response["Location"] == "/staff/"


def test_each_recovery_code_works_once(world):
    codes = enrol(password_login("boss"), world.admin)
    first = password_login("boss")
    assert first.post("/staff/otp/", {"code": codes[0]}).status_code == 302
    assert first.get("/admin/").status_code == 200
    second = password_login("boss")
    again = second.post("/staff/otp/", {"code": codes[0]})
    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    forgive_wrong_codes(world.admin)
    assert second.post("/staff/otp/", {"code": codes[1]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(world):
    codes = enrol(password_login("boss"), world.admin)
    client = password_login("boss")
    client.post("/staff/otp/", {"code": codes[0]})
    response = client.post("/staff/otp/recovery-codes/")
    fresh = re.findall(r'<li class="cd-recovery-code"><code>([a-z0-9]+)</code></li>', response.content.decode())
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    other = password_login("boss")
    assert other.post("/staff/otp/", {"code": codes[1]}).status_code == 200  # the old ones no longer work
    forgive_wrong_codes(world.admin)
    assert other.post("/staff/otp/", {"code": fresh[0]}).status_code == 302


def test_a_password_alone_cannot_set_up_another_authenticator(world):
    enrol(password_login("boss"), world.admin)
    client = password_login("boss")
    response = client.get("/staff/otp/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/otp/")
    assert client.post("/staff/otp/setup/", {"code": "123456"}).status_code == 302


def test_agents_need_no_code_by_default_but_may_enrol(world):
    agent = password_login("wanda")
    assert agent.get("/staff/").status_code == 200
    enrol(agent, world.works_agent)
    later = password_login("wanda")
    assert later.get("/staff/")["Location"].startswith("/staff/otp/?next=")


def test_mfa_required_true_requires_it_for_everyone(world, settings):
    settings.MFA_REQUIRED = True
    agent = password_login("wanda")
    response = agent.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/otp/setup/")


def test_a_staff_flag_alone_counts_as_an_admin(world):
    from django.contrib.auth.models import User

    User.objects.create_user("clerk", "clerk@staff.example", "demo", is_staff=True)
    client = password_login("clerk", url="/admin/login/")
    assert client.get("/admin/")["Location"].startswith("/staff/otp/setup/")


def test_an_unverified_live_poll_redirects_the_page_to_two_factor(world):
    client = password_login("boss")
    response = client.get("/staff/live/?since=0", HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/staff/?status=new")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/staff/otp/setup/?next=%2Fstaff%2F%3Fstatus%3Dnew"


def test_api_tokens_keep_working_without_a_code(world):
    from civicdesk.api.actions import create_token

    enrol(password_login("boss"), world.admin)
    raw = create_token(world.admin, name="script").raw
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/cases")
    assert response.status_code == 200


def test_signing_out_works_before_enrolment(world):
    client = password_login("boss")
    response = client.post("/staff/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"


def test_a_new_admin_created_later_is_also_asked(world):
    create_staff("newboss", role=StaffRole.ADMIN)
    assert password_login("newboss").get("/staff/")["Location"].startswith("/staff/otp/setup/")


def test_mfa_required_is_documented_in_env_example():
    assert "MFA_REQUIRED=false" in (Path(settings.PROJECT_DIR) / ".env.example").read_text()
