"""The confirmation page tells the resident the truth about their confirmation email: sent, coming, or not sent."""

import pytest

from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
SENT = "We sent a confirmation to your email address."
COMING = "We will email a confirmation to your email address."
NOT_SENT = "We could not email you a confirmation."


def submitted(client, valid_data, capture, *, deliver: bool) -> tuple[str, Message]:
    with capture(execute=deliver):
        response = client.post(FORM_URL, valid_data)
    assert response.status_code == 302
    case = Case.objects.get()
    return response.url, case.messages.get(direction=Direction.OUTBOUND, is_automatic=True)


def test_while_the_confirmation_waits_or_retries_the_page_says_we_will_email(
        client, service, valid_data, django_capture_on_commit_callbacks):
    url, ack = submitted(client, valid_data, django_capture_on_commit_callbacks, deliver=False)
    assert ack.delivery_status == DeliveryStatus.QUEUED
    html = client.get(url).content.decode()
    assert COMING in html and SENT not in html
    Message.objects.filter(pk=ack.pk).update(delivery_status=DeliveryStatus.RETRYING, attempts=2)
    html = client.get(url).content.decode()
    assert COMING in html and SENT not in html


def test_once_the_mail_server_took_it_the_page_says_we_sent_it(client, service, valid_data,
                                                                 django_capture_on_commit_callbacks):
    url, ack = submitted(client, valid_data, django_capture_on_commit_callbacks, deliver=True)
    assert ack.delivery_status == DeliveryStatus.SENT  # the test mail backend accepted it
    html = client.get(url).content.decode()
    assert SENT in html and COMING not in html


def test_with_no_mail_server_the_page_never_claims_an_email_was_sent(client, service, valid_data, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "civicdesk.mail.outbox.OutboxBackend"
    url, ack = submitted(client, valid_data, django_capture_on_commit_callbacks, deliver=True)
    assert ack.delivery_status == DeliveryStatus.CAPTURED
    html = client.get(url).content.decode()
    assert NOT_SENT in html and SENT not in html and COMING not in html
    Message.objects.filter(pk=ack.pk).update(delivery_status=DeliveryStatus.FAILED)
    assert NOT_SENT in client.get(url).content.decode()


def test_the_success_message_can_take_focus(client, service, valid_data, django_capture_on_commit_callbacks):
    url, _ = submitted(client, valid_data, django_capture_on_commit_callbacks, deliver=False)
    html = client.get(url).content.decode()
    assert 'id="success-message" tabindex="-1" data-focus-on-load' in html
