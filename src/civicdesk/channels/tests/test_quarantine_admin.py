"""The quarantine in the Django admin: quarantined payloads are listed, shown raw, and replayed."""

from email.message import EmailMessage
from typing import Any

import pytest
from django.urls import reverse

from civicdesk.cases.models import Case, Direction
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import process
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:channels_inboundpayload_changelist"


def mail_with_attachment(size: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = "Ana Resident <ana@example.com>"
    mail["To"] = "311@riverbend.example"
    mail["Subject"] = "Photos of the broken bench"
    mail["Message-ID"] = "<bench-1@example.com>"
    mail.set_content("The bench in Elm Park is broken; photos attached.")
    mail.add_attachment(b"\x89PNG" + b"0" * size, maintype="image", subtype="png", filename="bench.png")
    return mail.as_bytes()


@pytest.fixture
def quarantined(settings: Any) -> InboundPayload:
    create_agency("311")
    settings.MAX_ATTACHMENTS_BYTES = 1000
    payload, _ = store_payload("email", mail_with_attachment(5000), meta={"mail_from": "ana@example.com"})
    process(payload)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.QUARANTINED and "over the limit" in payload.error
    return payload


def test_quarantine_is_listed_and_the_raw_mail_is_kept(admin_client: Any, quarantined: InboundPayload) -> None:
    listing = admin_client.get(reverse(CHANGELIST), {"status__exact": "quarantined"})
    assert listing.status_code == 200
    assert b"over the limit" in listing.content
    detail = admin_client.get(reverse("admin:channels_inboundpayload_change", args=[quarantined.pk]))
    assert detail.status_code == 200 and b"The bench in Elm Park is broken" in detail.content
    assert not Case.objects.exists()


def test_replay_after_the_limit_is_raised_makes_the_case(admin_client: Any, quarantined: InboundPayload,
                                                         settings: Any) -> None:
    action = {"action": "replay", "_selected_action": [quarantined.pk]}
    response = admin_client.post(reverse(CHANGELIST), action, follow=True)
    assert b"Replayed 0; 1 still quarantined." in response.content
    quarantined.refresh_from_db()
    assert quarantined.status == PayloadStatus.QUARANTINED and quarantined.attempts == 2

    settings.MAX_ATTACHMENTS_BYTES = 25 * 1024 * 1024
    response = admin_client.post(reverse(CHANGELIST), action, follow=True)
    assert b"Replayed 1; 0 still quarantined." in response.content
    quarantined.refresh_from_db()
    assert quarantined.status == PayloadStatus.PROCESSED and quarantined.error == ""
    case = Case.objects.get()
    assert quarantined.case == case and case.contact.email == "ana@example.com"
    assert case.messages.get(direction=Direction.INBOUND).attachments.get().filename == "bench.png"

    admin_client.post(reverse(CHANGELIST), action, follow=True)  # a processed payload is not applied again
    assert Case.objects.count() == 1
