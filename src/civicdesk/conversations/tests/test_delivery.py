"""The delivery state machine: allowed moves only, provider reports, one backoff, plain-value sends, queues."""

import ast
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.events import DeliveryOutcome, DeliveryReport
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.channels.queues import delivery_queue
from civicdesk.conversations import delivery, replies
from civicdesk.conversations.outbound import outbound_for
from civicdesk.conversations.tasks import deliver_message
from civicdesk.mail.adapter import EmailAdapter
from civicdesk.mail.outbound import send_email
from civicdesk.open311 import forwarding
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db
S = DeliveryStatus


@pytest.fixture
def case(settings: Any) -> Case:
    create_agency(settings.DEFAULT_AGENCY_SLUG, "Riverbend 311")
    return create_case(email="")  # no reply address: no acknowledgement of its own


def outbound(case: Case, status: str = S.QUEUED, channel: str = "email", **fields: Any) -> Message:
    return Message.objects.create(
        case=case, direction=Direction.OUTBOUND, channel=channel, subject="Re: your request", body_text="Hello",
        recipient="pat.resident@example.com" if channel == "email" else "",
        email_message_id="<ours-1@civicdesk.example>" if channel == "email" else "",
        delivery_status=status, created_at=timezone.now(), **fields)


def snapshot(message: Message) -> tuple[Any, ...]:
    message.refresh_from_db()
    return (message.delivery_status, message.attempts, message.last_error, message.next_attempt_at,
            message.provider_message_id)


def test_the_table_allows_no_move_back_to_queued_and_nothing_out_of_a_final_state() -> None:
    assert not any(delivery.allowed(current, S.QUEUED) for current in S.values)
    for final in (S.FAILED, S.DELIVERED, S.PUBLISHED, S.RECEIVED):
        assert not any(delivery.allowed(final, new) for new in S.values)
    assert not delivery.allowed(S.SENT, S.QUEUED) and not delivery.allowed(S.FAILED, S.SENDING)
    assert not delivery.allowed(S.QUEUED, S.SENT)  # never sent without an attempt
    assert delivery.allowed(S.SENT, S.DELIVERED) and delivery.allowed(S.SENDING, S.PUBLISHED)


def test_illegal_transitions_are_refused_and_write_nothing(case: Case) -> None:
    failed = outbound(case, S.FAILED, attempts=3, last_error="550 no such user")
    before = snapshot(failed)
    assert delivery.start_attempt(failed.pk) is None  # failed -> sending
    assert delivery.mark_sent(failed, "x") is False  # failed -> sent
    assert snapshot(failed) == before

    queued = outbound(case, S.QUEUED)
    before = snapshot(queued)
    assert delivery.mark_sent(queued, "x") is False  # queued -> sent skips sending
    assert snapshot(queued) == before

    delivered = outbound(case, S.DELIVERED, provider_message_id="p-1")
    assert delivery.mark_failed(delivered, "late") is False
    assert delivered.delivery_status == S.DELIVERED and snapshot(delivered)[0] == S.DELIVERED
    assert not AuditEntry.objects.filter(action=AuditAction.DELIVERY_FAILED).exists()


def test_a_move_made_from_a_stale_read_is_refused(case: Case) -> None:
    message = outbound(case, S.QUEUED)
    stale = Message.objects.get(pk=message.pk)
    assert delivery.start_attempt(message.pk) is not None  # another worker moved it to sending
    assert delivery.mark_failed(stale, "stale") is False  # the stale copy still says queued: nothing written
    assert snapshot(message)[:3] == (S.SENDING, 1, "")


def test_a_delivery_report_for_an_unknown_id_changes_nothing(case: Case) -> None:
    message = outbound(case, S.SENT, provider_message_id="<ours-1@civicdesk.example>")
    before = snapshot(message)
    report = DeliveryReport(channel="email", provider_message_id="dsn-1", about=["<someone-else@example.com>"],
                            outcome=DeliveryOutcome.FAILED, error="550 unknown")
    assert delivery.apply_report(report) is None
    assert delivery.apply_report(DeliveryReport("email", "dsn-2", about=[], outcome=DeliveryOutcome.FAILED)) is None
    assert snapshot(message) == before
    assert not AuditEntry.objects.filter(action=AuditAction.DELIVERY_FAILED).exists()


def test_a_delivered_report_after_sent_moves_it_to_delivered(case: Case) -> None:
    message = outbound(case, S.SENT, channel="web", provider_message_id="SM123")
    found = delivery.apply_report(DeliveryReport("web", "cb-1", about=["SM123"], outcome=DeliveryOutcome.DELIVERED))
    assert found is not None and found.pk == message.pk
    assert snapshot(message)[0] == S.DELIVERED
    again = delivery.apply_report(DeliveryReport("web", "cb-2", about=["SM123"], outcome=DeliveryOutcome.FAILED))
    assert again is not None and snapshot(message)[0] == S.DELIVERED  # delivered is final


def test_a_failed_report_marks_it_failed_with_the_error_shown_on_the_case(case: Case) -> None:
    message = outbound(case, S.SENT, attempts=1)
    report = DeliveryReport("email", "dsn-1", about=["<ours-1@civicdesk.example>"], outcome=DeliveryOutcome.FAILED,
                            error="Bounced: pat.resident@example.com: 550 5.1.1 User unknown")
    assert delivery.apply_report(report) == message
    status, attempts, error, retry_at, _ = snapshot(message)
    assert (status, attempts, retry_at) == (S.FAILED, 1, None) and "550 5.1.1" in error
    entry = AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED)
    assert "550 5.1.1" in entry.reason and entry.after["message"] == message.pk
    assert delivery.apply_report(report) == message  # the same bounce again: nothing more on the case
    assert AuditEntry.objects.filter(case=case, action=AuditAction.DELIVERY_FAILED).count() == 1


def test_the_backoff_schedule_is_one_function_used_by_delivery_and_open311_forwarding(case: Case,
                                                                                       settings: Any) -> None:
    settings.OUTBOUND_BACKOFF_SECONDS, settings.OUTBOUND_BACKOFF_MAX_SECONDS = 10, 60
    assert [delivery.backoff(n).total_seconds() for n in range(1, 6)] == [10, 20, 40, 60, 60]
    assert forwarding.next_attempt_at is delivery.next_attempt_at
    assert delivery.next_attempt_at(6, 6) is None
    message = outbound(case, S.SENDING, attempts=2)
    retry_at = delivery.attempt_failed(message, "TemporarySendError: 451")
    assert retry_at is not None and timedelta(seconds=18) < retry_at - timezone.now() <= timedelta(seconds=20)
    assert snapshot(message)[0] == S.RETRYING
    src = Path(delivery.__file__).parents[1]
    defined = [str(path.relative_to(src)) for path in src.rglob("*.py") if "tests" not in path.parts
               for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)
               and "backoff" in node.name]
    assert defined == ["conversations/delivery.py"]


def test_a_message_being_sent_is_not_sent_again_until_its_lease_runs_out(case: Case) -> None:
    message = outbound(case, S.QUEUED)
    assert delivery.start_attempt(message.pk) is not None
    assert delivery.start_attempt(message.pk) is None  # a live worker holds the attempt
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    again = delivery.start_attempt(message.pk)  # its worker died: sending -> sending, one more attempt
    assert again is not None and snapshot(message)[:2] == (S.SENDING, 2)


def test_the_adapter_gets_plain_values_and_the_email_send_reads_no_database(case: Case, settings: Any,
                                                                           monkeypatch: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = outbound(case, S.QUEUED)
    seen: list[tuple[OutboundMessage, int]] = []

    def send(self: EmailAdapter, outgoing: OutboundMessage, account: Any = None) -> str:
        with CaptureQueriesContext(connection) as queries:
            provider_id = send_email(outgoing)
        seen.append((outgoing, len(queries)))
        return provider_id

    monkeypatch.setattr(EmailAdapter, "send", send)
    deliver_message.call(message.pk)
    [(outgoing, queries)] = seen
    assert queries == 0 and outgoing.to == "pat.resident@example.com"
    assert outgoing.message_id == "<ours-1@civicdesk.example>" and outgoing.sender == ""  # no mailbox: default
    assert snapshot(message)[0::4] == (S.SENT, "<ours-1@civicdesk.example>")


def test_sending_on_a_channel_that_publishes_marks_it_published(case: Case) -> None:
    message = outbound(case, S.QUEUED, channel="web")
    deliver_message.call(message.pk)
    assert snapshot(message)[:2] == (S.PUBLISHED, 1)
    assert outbound_for(message).to == ""


def test_each_delivery_is_enqueued_on_its_providers_queue(case: Case, settings: Any, monkeypatch: Any,
                                                          django_capture_on_commit_callbacks: Any) -> None:
    assert {delivery_queue(c) for c in ("email", "web", "open311")} == {"email", "web", "open311"}
    assert delivery_queue("pigeon") == "default"
    assert set(settings.DELIVERY_QUEUES.values()) <= set(settings.TASK_QUEUES)
    enqueued: list[tuple[str, str | None]] = []
    monkeypatch.setattr("civicdesk.core.jobs.enqueue",
                        lambda path, *args, queue_name=None, **kw: enqueued.append((path, queue_name)))
    Case.objects.filter(pk=case.pk).update(channel="web")
    with django_capture_on_commit_callbacks(execute=True):
        replies.reply(case, author=None, text="We are on it.")
    assert enqueued == [("civicdesk.conversations.tasks.deliver_message", "web")]


def test_a_reply_to_a_number_that_texted_stop_is_refused_and_shows_on_the_case(settings: Any) -> None:
    from civicdesk.contacts.actions import set_opt_out
    from civicdesk.conversations.tests.inbound import TestSmsAdapter

    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS,
                                 "sms": "civicdesk.conversations.tests.inbound.TestSmsAdapter"}
    create_agency("311")
    case = create_case(email="rosa@example.com")
    set_opt_out("phone", "+12155550100", opted_out=True)
    message = Message.objects.create(case=case, direction=Direction.OUTBOUND, channel="sms", body_text="Hello",
                                     recipient="+12155550100", delivery_status=DeliveryStatus.QUEUED,
                                     created_at=timezone.now())
    sent_before = list(TestSmsAdapter.sent)
    deliver_message.call(message.pk)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.FAILED and "opted out" in message.last_error
    assert TestSmsAdapter.sent == sent_before
    assert AuditEntry.objects.filter(case=case, action=AuditAction.DELIVERY_FAILED).exists()
