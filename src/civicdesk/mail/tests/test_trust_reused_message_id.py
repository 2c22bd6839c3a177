"""Issue #7 item 6: mail that reuses an earlier Message-ID with other content is stored, processed and flagged.

CPython's email test corpus (Lib/test/test_email/data/msg_*.txt) has several messages sharing one Message-ID;
five of its 48 were answered "250 Accepted" and stored nowhere. The corpus is not copied here: these messages
are built the same way (one id, different headers, bodies and MIME structure).
"""

import smtplib
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

import pytest

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.mail.models import Mailbox
from civicdesk.mail.smtp_listener import Listener
from civicdesk.testing.factories import create_agency

ADDRESS = "publicworks@riverbend.example"
SHARED_ID = "<15090.61304.110929.45684@aage.cnri.reston.va.us>"  # the id the corpus's messages share
REUSED_TAG = "reused-message-id"


@pytest.fixture
def agency_mailbox(transactional_db: Any) -> Mailbox:
    agency = create_agency("public-works", "Public Works")
    return Mailbox.objects.create(address=ADDRESS, agency=agency, display_name="Riverbend Public Works")


def plain(sender: str, subject: str, body: str) -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = sender, ADDRESS, subject, SHARED_ID
    mail.set_content(body)
    return mail.as_bytes(policy=SMTP)


def with_attachment() -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = "bperson@dom.ain", ADDRESS, "A photo", SHARED_ID
    mail.set_content("See the attached picture of the hole.")
    mail.add_attachment(b"GIF89a" + b"\x00" * 40, maintype="image", subtype="gif", filename="hole.gif")
    return mail.as_bytes(policy=SMTP)


def alternative() -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"], mail["Message-ID"] = "cperson@dom.ain", ADDRESS, "Both", SHARED_ID
    mail.set_content("Plain version of the report.")
    mail.add_alternative("<p>HTML version of the report.</p>", subtype="html")
    return mail.as_bytes(policy=SMTP)


def corpus_like() -> list[bytes]:
    return [
        plain("aperson@dom.ain", "Test message", "Hi,\n\nDo you like this message?\n\n-Me\n"),
        plain("aperson@dom.ain", "Test message", "Hi,\n\nA different body, the same id.\n"),
        plain("Barry Warsaw <barry@python.org>", "Re: Test message", "Another sender entirely.\n"),
        with_attachment(),
        alternative(),
    ]


def send_all(listener: Listener, raws: list[bytes]) -> None:
    with smtplib.SMTP(listener.host, listener.port, timeout=20) as smtp:
        for raw in raws:
            assert smtp.sendmail("sender@dom.ain", [ADDRESS], raw) == {}


def test_every_message_sharing_a_message_id_is_stored_and_becomes_a_message(agency_mailbox: Mailbox,
                                                                            listener: Listener) -> None:
    raws = corpus_like()
    send_all(listener, raws)
    payloads = list(InboundPayload.objects.order_by("pk"))
    assert [bytes(p.raw) for p in payloads] == raws
    assert {p.provider_message_id for p in payloads} == {SHARED_ID}
    assert [p.status for p in payloads] == [PayloadStatus.PROCESSED] * len(raws), [p.error for p in payloads]
    inbound = Message.objects.filter(direction=Direction.INBOUND)
    assert inbound.count() == len(raws) and len({p.message_id for p in payloads}) == len(raws)
    assert Message.objects.get(subject="A photo").attachments.get().filename == "hole.gif"


def test_a_reused_message_id_is_flagged_for_staff(agency_mailbox: Mailbox, listener: Listener) -> None:
    send_all(listener, corpus_like()[:2])
    first, second = InboundPayload.objects.order_by("pk")
    assert not first.reuses_provider_id and second.reuses_provider_id
    assert second.meta["reuses_provider_id_of"] == first.pk
    flagged = Case.objects.get(pk=second.case_id)
    assert REUSED_TAG in flagged.tags.values_list("name", flat=True)
    event = flagged.audit.get(action="tags_changed")
    assert SHARED_ID in event.reason and "different content" in event.reason
    assert not Case.objects.get(pk=first.case_id).tags.exists()


def test_the_same_message_delivered_twice_is_still_stored_once(agency_mailbox: Mailbox, listener: Listener) -> None:
    raw = corpus_like()[0]
    send_all(listener, [raw, raw, raw])
    payload = InboundPayload.objects.get()
    assert payload.status == PayloadStatus.PROCESSED and not payload.reuses_provider_id
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1 and Case.objects.count() == 1
