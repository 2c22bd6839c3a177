"""Payloads with several events: each applied once, in one transaction; reports, opt-outs, edits and ignored mail."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.events import (
    AuthorEdit,
    DeliveryReport,
    InboundEvent,
    InboundMessage,
    OptOut,
    SenderIdentity,
)
from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ChannelAdapter
from civicdesk.contacts.models import Identity
from civicdesk.contacts.queries import opted_out
from civicdesk.conversations import pipeline
from civicdesk.conversations.models import AppliedEvent
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db
BOUNCE = Path(__file__).parents[2] / "mail" / "tests" / "fixtures" / "bounce_mailer_daemon.eml"


class BatchAdapter(ChannelAdapter):
    """A provider that batches events in one JSON body, as Messenger and X do."""

    channel = "sms"

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        kinds = {"message": InboundMessage, "report": DeliveryReport, "opt_out": OptOut, "edit": AuthorEdit}
        events: list[InboundEvent] = []
        for item in json.loads(raw)["events"]:
            fields = {k: v for k, v in item.items() if k != "type"}
            if "sender" in fields:
                fields["sender"] = SenderIdentity("phone", fields["sender"])
            events.append(kinds[item["type"]](channel=self.channel, **fields))
        return events

    def send(self, message: Message) -> str:
        return ""


@pytest.fixture(autouse=True)
def batch_adapter(settings: Any) -> Iterator[None]:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": f"{__name__}.BatchAdapter"}
    create_agency("311")
    yield


def sms_payload(*events: dict[str, Any], batch: str = "b1") -> InboundPayload:
    payload, _ = store_payload("sms", json.dumps({"batch": batch, "events": list(events)}).encode())
    return payload


def our_sms(provider_id: str = "SM-out-1") -> Message:
    case = create_case(email="r@example.com")
    return Message.objects.create(case=case, direction=Direction.OUTBOUND, channel="sms", body_text="Hello",
                                  provider_message_id=provider_id, delivery_status=DeliveryStatus.SENT,
                                  created_at=timezone.now())


TEXT = {"type": "message", "provider_message_id": "SM-in-1", "sender": "+12025550143", "body_text": "Tree down"}
FAILED = {"type": "report", "provider_message_id": "RPT-1", "about": ["SM-out-1"], "outcome": "failed",
          "error": "30003 Unreachable handset"}


def test_a_payload_with_two_events_applies_both_and_a_replay_applies_nothing_twice() -> None:
    ours = our_sms()
    inbound = Message.objects.filter(direction=Direction.INBOUND)
    cases, messages = Case.objects.count(), inbound.count()
    first = pipeline.process(sms_payload(TEXT, FAILED))
    assert first.outcomes == ["applied", "applied"] and first.created
    assert first.payload.status == PayloadStatus.PROCESSED and first.message is not None
    assert Case.objects.count() == cases + 1 and inbound.count() == messages + 1
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.FAILED and "30003" in ours.last_error

    again = pipeline.process(sms_payload(TEXT, FAILED, batch="b2"))  # the provider delivered the batch again
    assert again.outcomes == ["duplicate", "duplicate"] and again.message == first.message
    assert again.payload.status == PayloadStatus.DUPLICATE
    replayed = pipeline.replay(first.payload)
    assert replayed.outcomes == ["duplicate", "duplicate"]
    assert Case.objects.count() == cases + 1 and inbound.count() == messages + 1
    assert AuditEntry.objects.filter(action="delivery_failed").count() == 1
    assert AppliedEvent.objects.get().event_id == "RPT-1"


def test_a_crash_in_the_second_event_leaves_the_first_unapplied(monkeypatch: pytest.MonkeyPatch) -> None:
    our_sms()
    messages = Message.objects.count()

    def crash(report: DeliveryReport) -> None:
        raise RuntimeError("worker died")

    monkeypatch.setattr(pipeline, "apply_report", crash)
    payload = sms_payload(TEXT, FAILED)
    with pytest.raises(RuntimeError):
        pipeline.process(payload)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.RECEIVED and Message.objects.count() == messages
    assert not AppliedEvent.objects.exists()
    monkeypatch.undo()
    assert pipeline.process(payload).outcomes == ["applied", "applied"]


def test_a_delivery_report_for_an_unknown_id_is_stored_and_ignored() -> None:
    ours = our_sms()
    counts = (Case.objects.count(), Message.objects.count(), AuditEntry.objects.count())
    result = pipeline.process(sms_payload({**FAILED, "about": ["SM-not-ours"]}))
    assert result.outcomes == ["ignored"] and result.case is None
    payload = InboundPayload.objects.get(pk=result.payload.pk)
    assert payload.status == PayloadStatus.IGNORED and payload.raw
    assert (Case.objects.count(), Message.objects.count(), AuditEntry.objects.count()) == counts
    assert not AppliedEvent.objects.exists()  # not claimed: a replay once the message is known can still apply it
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.SENT


def test_an_email_bounce_marks_our_message_failed_through_a_delivery_report() -> None:
    case = create_case(email="r@example.com")
    ours = Message.objects.create(case=case, direction=Direction.OUTBOUND, channel="email", body_text="Thanks",
                                  email_message_id="<ours-1@civicdesk.example>", created_at=timezone.now(),
                                  delivery_status=DeliveryStatus.SENT)
    raw = BOUNCE.read_bytes().replace(b"<177302.1.civicdesk@civicdesk.riverbend.example>",
                                      b"<ours-1@civicdesk.example>")
    payload, _ = store_payload("email", raw, meta={"mail_from": ""})
    result = pipeline.process(payload)
    assert result.outcomes == ["applied"] and result.message == ours and not result.created
    ours.refresh_from_db()
    assert ours.delivery_status == DeliveryStatus.FAILED and "550 5.1.1 User unknown" in ours.last_error
    assert InboundPayload.objects.get(pk=payload.pk).status == PayloadStatus.PROCESSED
    assert Case.objects.count() == 1


def test_an_ignored_auto_reply_makes_no_case() -> None:
    raw = (b"From: pat@example.com\nTo: 311@riverbend.example\nSubject: Out of office\n"
           b"Auto-Submitted: auto-replied\nMessage-ID: <ooo-1@example.com>\n\nI am away until Monday.\n")
    payload, _ = store_payload("email", raw)
    result = pipeline.process(payload)
    assert result.outcomes == ["ignored"] and result.case is None
    assert InboundPayload.objects.get(pk=payload.pk).status == PayloadStatus.IGNORED
    assert not Case.objects.exists() and not Message.objects.exists()


def test_an_opt_out_is_kept_on_the_identity_once_and_an_opt_in_lifts_it() -> None:
    stop = {"type": "opt_out", "provider_message_id": "STOP-1", "sender": "+12025550143", "keyword": "STOP"}
    assert pipeline.process(sms_payload(stop)).outcomes == ["applied"]
    assert opted_out("phone", "+12025550143")
    assert pipeline.process(sms_payload(stop, batch="again")).outcomes == ["duplicate"]
    identity = Identity.objects.get(value="+12025550143")
    assert AuditEntry.objects.filter(contact=identity.contact, action="opted_out").count() == 1
    start = {**stop, "provider_message_id": "START-1", "opt_in": True, "keyword": "START"}
    assert pipeline.process(sms_payload(start)).outcomes == ["applied"]
    assert not opted_out("phone", "+12025550143")
    assert AuditEntry.objects.filter(contact=identity.contact, action="opted_in").count() == 1


def test_an_author_edit_changes_the_stored_text_and_a_deletion_removes_it() -> None:
    result = pipeline.process(sms_payload(TEXT))
    message = result.message
    assert message is not None
    edit = {"type": "edit", "provider_message_id": "EDIT-1", "target_id": "SM-in-1", "text": "Two trees down"}
    assert pipeline.process(sms_payload(edit)).outcomes == ["applied"]
    message.refresh_from_db()
    assert message.body_text == message.visible_text == "Two trees down" and message.deleted_by_author_at is None
    delete = {"type": "edit", "provider_message_id": "DEL-1", "target_id": "SM-in-1", "deleted": True}
    assert pipeline.process(sms_payload(delete)).outcomes == ["applied"]
    message.refresh_from_db()
    assert message.body_text == message.visible_text == "" and message.deleted_by_author_at is not None
    actions = list(AuditEntry.objects.filter(case=message.case, action__startswith="message_")
                   .values_list("action", flat=True))
    assert actions == ["message_edited", "message_deleted"]
    assert all("trees" not in json.dumps([e.before, e.after]) for e in AuditEntry.objects.all())
    unknown = {**edit, "provider_message_id": "EDIT-2", "target_id": "SM-nowhere"}
    assert pipeline.process(sms_payload(unknown)).outcomes == ["ignored"]
