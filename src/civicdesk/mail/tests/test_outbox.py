"""The built-in outbox: with no EMAIL_HOST, mail is kept (not sent), recorded as captured, and readable by staff."""

import os
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail as django_mail
from django.test import Client

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.mail.models import CapturedEmail, Mailbox
from civicdesk.mail.tests.conftest import Sink
from civicdesk.mail.tests.test_outbound import FIRST_REPORT, ingest
from civicdesk.testing.factories import create_agency, create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db
OUTBOX = "civicdesk.mail.outbox.OutboxBackend"


@pytest.fixture
def no_mail_server(settings: Any) -> None:
    """What settings.py chooses when EMAIL_HOST is empty (the conftest's sink is then never reached)."""
    settings.EMAIL_BACKEND = OUTBOX
    settings.EMAIL_HOST = ""


def settings_in_a_fresh_process(**environ: str) -> dict[str, str]:
    """EMAIL_BACKEND and SITE_URL as settings.py computes them from this environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"EMAIL_HOST", "SITE_URL", "PORT", "HOST"}}
    env.update(environ)
    code = ("from django.conf import settings; "
            "print(settings.EMAIL_BACKEND); print(settings.SITE_URL); print(settings.EMAIL_HOST)")
    out = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "civicdesk.settings"},
                         capture_output=True, text=True, check=True, timeout=120).stdout.splitlines()
    return {"EMAIL_BACKEND": out[0], "SITE_URL": out[1], "EMAIL_HOST": out[2]}


def test_with_no_email_host_mail_goes_to_the_outbox_and_with_one_to_smtp() -> None:
    assert settings_in_a_fresh_process()["EMAIL_BACKEND"] == OUTBOX
    assert settings_in_a_fresh_process(EMAIL_HOST="  ")["EMAIL_BACKEND"] == OUTBOX
    configured = settings_in_a_fresh_process(EMAIL_HOST="smtp.riverbend.example")
    assert configured["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert configured["EMAIL_HOST"] == "smtp.riverbend.example"


def test_an_acknowledgement_with_no_mail_server_is_captured_and_recorded_as_not_sent(
        mailbox: Mailbox, outbound_sink: Sink, no_mail_server: None, django_capture_on_commit_callbacks: Any) -> None:
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert (ack.delivery_status, ack.attempts, ack.last_error) == (DeliveryStatus.CAPTURED, 1, "")
    assert ack.get_delivery_status_display() == "Captured, not sent"
    [kept] = CapturedEmail.objects.all()
    assert ack.provider_message_id == f"outbox:{kept.pk}"
    assert kept.case == case and kept.message_id == ack.email_message_id
    assert kept.recipients == "pat.resident@example.com" and "publicworks@riverbend.example" in kept.sender
    assert kept.subject == ack.subject and kept.text == ack.body_text
    assert f"Message-ID: {ack.email_message_id}" in " ".join(kept.raw.split())  # the whole message, unfolded
    assert "Auto-Submitted: auto-replied" in kept.raw
    assert outbound_sink.handler.received == []  # nothing went to any mail server


def test_with_a_mail_server_the_smtp_path_is_unchanged(mailbox: Mailbox, outbound_sink: Sink,
                                                       django_capture_on_commit_callbacks: Any) -> None:
    case = ingest(FIRST_REPORT, django_capture_on_commit_callbacks).case
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert ack.delivery_status == DeliveryStatus.SENT and ack.provider_message_id == ack.email_message_id
    assert len(outbound_sink.handler.received) == 1 and not CapturedEmail.objects.exists()


def captured_case(capture: Any) -> Case:
    return ingest(FIRST_REPORT, capture).case


def test_admins_read_the_outbox_newest_first_each_marked_captured_not_sent(
        mailbox: Mailbox, no_mail_server: None, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    case = captured_case(django_capture_on_commit_callbacks)
    later = CapturedEmail.objects.create(captured_at=CapturedEmail.objects.get().captured_at.replace(year=2100),
                                         subject="A later one", recipients="x@example.com", raw="x", case=case)
    staff_login(client, create_staff("boss", role=StaffRole.ADMIN))
    page = client.get("/staff/outbox/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("A later one") < html.index("Streetlight out on Elm Street")
    assert html.count("Captured, not sent") == 2 and "EMAIL_HOST is empty" in html
    first = CapturedEmail.objects.exclude(pk=later.pk).get()
    detail = client.get(f"/staff/outbox/{first.pk}/").content.decode()
    assert "Captured, not sent" in detail and "pat.resident@example.com" in detail
    assert first.text.splitlines()[0] in detail and f'href="/staff/cases/{case.number}/"' in detail
    assert "Auto-Submitted: auto-replied" in detail  # the full message, under "Show the full message"
    assert client.get(f"/staff/outbox/?case={case.number.lower()}").content.decode().count("<tr>") == 3


def test_the_case_timeline_says_the_email_was_captured_and_links_to_the_outbox(
        mailbox: Mailbox, no_mail_server: None, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    case = captured_case(django_capture_on_commit_callbacks)
    staff_login(client, create_staff("boss", role=StaffRole.ADMIN))
    html = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Captured, not sent" in html and "nobody received it" in html
    assert f'href="/staff/outbox/?case={case.number}"' in html


def test_agents_may_not_read_the_outbox_and_supervisors_see_only_their_agencies_mail(
        mailbox: Mailbox, no_mail_server: None, client: Client, django_capture_on_commit_callbacks: Any) -> None:
    captured_case(django_capture_on_commit_callbacks)
    kept = CapturedEmail.objects.get()
    parks = create_agency("parks", "Parks")
    staff_login(client, create_staff("agent", agencies=[mailbox.agency]))
    assert client.get("/staff/outbox/").status_code == 403
    assert client.get(f"/staff/outbox/{kept.pk}/").status_code == 404
    staff_login(client, create_staff("parks.boss", role=StaffRole.SUPERVISOR, agencies=[parks]))
    assert "Streetlight" not in client.get("/staff/outbox/").content.decode()
    assert client.get(f"/staff/outbox/{kept.pk}/").status_code == 404
    staff_login(client, create_staff("pw.boss", role=StaffRole.SUPERVISOR, agencies=[mailbox.agency]))
    assert "Streetlight" in client.get("/staff/outbox/").content.decode()
    assert client.get(f"/staff/outbox/{kept.pk}/").status_code == 200
    assert client.get("/staff/outbox/", follow=False).status_code == 200
    client.logout()
    assert client.get("/staff/outbox/").status_code == 302  # to the sign-in page


def test_mail_about_no_case_such_as_a_password_reset_is_for_superusers_only(no_mail_server: None,
                                                                            client: Client) -> None:
    django_mail.send_mail("Reset your password", "Follow this link: http://127.0.0.1:8000/reset/abc/",
                          "311@riverbend.example", ["someone@staff.example"])
    kept = CapturedEmail.objects.get()
    assert kept.case is None and "reset/abc" in kept.text
    role_admin = create_staff("role.admin", role=StaffRole.ADMIN)
    User.objects.filter(pk=role_admin.pk).update(is_superuser=False, is_staff=False)
    staff_login(client, User.objects.get(pk=role_admin.pk))
    assert "Reset your password" not in client.get("/staff/outbox/").content.decode()
    assert client.get(f"/staff/outbox/{kept.pk}/").status_code == 404
    staff_login(client, create_staff("root", role=StaffRole.ADMIN))  # a superuser
    assert "Reset your password" in client.get("/staff/outbox/").content.decode()
    assert "reset/abc" in client.get(f"/staff/outbox/{kept.pk}/").content.decode()
