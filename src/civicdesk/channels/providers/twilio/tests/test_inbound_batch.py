"""Texts through the payload table as a queue: the webhook's one INSERT (no job), the batch worker's drain applying
them exactly once, oldest first, a failing one apart from the others and quarantined after its attempts, a killed
worker's claim left to the next, the job path with the worker off, and the webhook's path past the middleware."""

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from civicdesk.cases.models import Message
from civicdesk.channels.models import ChannelAccount, InboundPayload, PayloadStatus
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.prism import prism  # noqa: F401 - the fixture
from civicdesk.channels.providers.twilio.sender import TwilioSender, sms_params
from civicdesk.channels.providers.twilio.tests.conftest import OUR_NUMBER, RESIDENT
from civicdesk.conversations import batch, pipeline
from civicdesk.conversations.tasks import process_payload, recover_stalled
from civicdesk.core.jobs import DELIVER_MESSAGE, PROCESS_PAYLOAD

pytestmark = pytest.mark.django_db
TWIML = b'<?xml version="1.0" encoding="UTF-8"?><Response/>'


def send(client: Client, sender: TwilioSender, account: ChannelAccount, n: int, *, from_: str = RESIDENT,
         body: str = "") -> Any:
    params = sms_params(from_=from_, to=OUR_NUMBER, body=body or f"Flooding on River Road ({n})", sid=f"SM{n:032d}")
    return sender.sign(endpoint_url(account, Endpoint.SMS), params).send_django(client)


def inbound() -> list[tuple[str, int]]:
    return list(Message.objects.filter(direction="in").order_by("pk").values_list("provider_message_id", "case_id"))


def test_a_text_is_stored_by_one_insert_with_no_job_and_put_on_a_case_by_the_batch_worker(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        django_assert_num_queries: Any) -> None:
    send(client, sender, account, 0)  # the first request of a process reads what every later one needs
    # the known-id check and the INSERT (in a savepoint here: the test's transaction); the account was read once
    with django_assert_num_queries(4):
        response = send(client, sender, account, 1)
    assert response.status_code == 200 and response.content == TWIML
    assert not DBTaskResult.objects.filter(task_path=PROCESS_PAYLOAD).exists()
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {PayloadStatus.RECEIVED}
    assert batch.drain() == 2
    assert [sid for sid, _case in inbound()] == [f"SM{0:032d}", f"SM{1:032d}"]  # oldest first
    assert len({case for _sid, case in inbound()}) == 1  # the second continues the first's case
    assert set(InboundPayload.objects.values_list("status", flat=True)) == {PayloadStatus.PROCESSED}
    assert batch.drain() == 0


def test_a_retry_is_one_payload_and_a_payload_a_job_already_applied_is_left_alone(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> None:
    request = sender.sign(endpoint_url(account, Endpoint.SMS), sms_params(from_=RESIDENT, to=OUR_NUMBER,
                                                                          body="Tree down", sid="SM" + "7" * 32))
    assert request.send_django(client).status_code == request.retry().send_django(client).status_code == 200
    send(client, sender, account, 2)
    assert InboundPayload.objects.count() == 2
    first = InboundPayload.objects.get(provider_message_id="SM" + "7" * 32)
    pipeline.process(first)  # recover_stalled's job got there first
    assert batch.drain() == 1
    assert sorted(sid for sid, _case in inbound()) == sorted(["SM" + "7" * 32, f"SM{2:032d}"])
    assert InboundPayload.objects.get(pk=first.pk).status == PayloadStatus.PROCESSED  # not turned "duplicate"


def test_a_payload_that_fails_leaves_the_rest_of_its_group_applied_and_is_quarantined_after_its_attempts(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n, resident in enumerate(["+12025550143", "+12025550144", "+12025550145"]):
        send(client, sender, account, n, from_=resident)
    poison = InboundPayload.objects.get(provider_message_id=f"SM{1:032d}")
    real = pipeline.apply_in_transaction

    def failing(payload: InboundPayload, prepared: Any) -> Any:
        if payload.pk == poison.pk:
            raise RuntimeError("a bug")
        return real(payload, prepared)

    monkeypatch.setattr(pipeline, "apply_in_transaction", failing)
    assert batch.drain(group=10) == 2
    assert sorted(sid for sid, _case in inbound()) == [f"SM{0:032d}", f"SM{2:032d}"]
    poison.refresh_from_db()
    assert poison.status == PayloadStatus.RECEIVED and poison.attempts == 1 and "a bug" in poison.error
    # two cases, two acknowledgements, each with one delivery job: the group applied twice committed once
    assert Message.objects.filter(direction="out").count() == 2
    assert DBTaskResult.objects.filter(task_path=DELIVER_MESSAGE).count() == 2
    # acknowledgements go on the background lane (its worker yields the cores to taking texts in)
    assert set(DBTaskResult.objects.filter(task_path=DELIVER_MESSAGE).values_list("queue_name", flat=True)) == {
        "automatic"}
    assert batch.drain() == 0  # leased: not taken again before the lease runs out
    monkeypatch.setattr(batch, "LEASE_SECONDS", 0)
    InboundPayload.objects.update(claimed_until=None)
    assert [batch.drain() for _ in range(batch.MAX_ATTEMPTS - 1)] == [0, 1]  # the last attempt gives up
    poison.refresh_from_db()
    assert poison.status == PayloadStatus.QUARANTINED and poison.attempts == batch.MAX_ATTEMPTS
    assert "Not applied after 3 attempts. RuntimeError: a bug" in poison.error
    send(client, sender, account, 5, from_="+12025550146")
    recover_stalled.call(older_than_seconds=0)  # enqueues no job for a payload the batch worker owns
    assert not DBTaskResult.objects.filter(task_path=PROCESS_PAYLOAD).exists()
    monkeypatch.setattr(pipeline, "apply_in_transaction", real)
    pipeline.replay(poison)  # an admin's replay once the bug is fixed
    assert batch.drain() == 1
    assert len(inbound()) == 4 and Message.objects.filter(direction="out").count() == 4


def test_a_worker_killed_mid_group_leaves_its_payloads_to_the_next_and_one_that_kills_every_worker_is_quarantined(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        send(client, sender, account, n)
    claimed, _spent = batch.claim(10)  # a worker claims the batch, then dies (kill -9) before applying any
    assert len(claimed) == 3 and batch.drain() == 0  # the lease keeps the others off while it could still be alive
    InboundPayload.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))  # the lease ran out
    assert batch.drain() == 3
    assert len(inbound()) == 3 and len({case for _sid, case in inbound()}) == 1
    assert Message.objects.filter(direction="out").count() == 1  # one acknowledgement for the one case

    send(client, sender, account, 9)
    monkeypatch.setattr(batch, "LEASE_SECONDS", 0)
    for _ in range(batch.MAX_ATTEMPTS):  # it kills its worker each time
        assert batch.claim(10)[0]
    assert batch.drain() == 1
    killer = InboundPayload.objects.get(provider_message_id=f"SM{9:032d}")
    assert killer.status == PayloadStatus.QUARANTINED and "stopped each time" in killer.error
    assert len(inbound()) == 3


def test_a_batch_that_fails_on_the_database_gives_its_payloads_back_at_once_not_when_its_lease_runs_out(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(4):
        send(client, sender, account, n, from_=f"+1202555016{n}")
    real_apply, calls = batch.apply_group, []

    def deadlocked_second_group(items: Any) -> int:
        calls.append(len(items))
        if len(calls) == 2:
            raise OperationalError("deadlock detected")  # escapes the group (a commit's deadlock, say)
        return real_apply(items)

    monkeypatch.setattr(batch, "apply_group", deadlocked_second_group)
    with pytest.raises(OperationalError):
        batch.drain(group=2)
    rows = dict(InboundPayload.objects.values_list("status", "claimed_until").order_by("status").distinct())
    assert rows == {PayloadStatus.PROCESSED: rows[PayloadStatus.PROCESSED], PayloadStatus.RECEIVED: None}
    monkeypatch.setattr(batch, "apply_group", real_apply)
    assert batch.drain() == 2  # the next poll takes them again, their failed attempt counted
    assert sorted(InboundPayload.objects.values_list("attempts", flat=True)) == [1, 1, 2, 2]
    assert len(inbound()) == 4


def test_a_batch_slower_than_its_lease_renews_it_so_no_other_worker_claims_what_it_is_still_applying(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3):
        send(client, sender, account, n, from_=f"+1202555015{n}")
    elapsed, real_now = [0.0], timezone.now
    monkeypatch.setattr(batch.time, "monotonic", lambda: 1000 + elapsed[0])
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(seconds=elapsed[0]))
    real_apply, seen = batch.apply_group, []

    def slow_group(items: Any) -> int:  # each group takes most of a lease (a loaded machine), then another worker
        elapsed[0] += batch.LEASE_SECONDS * 0.6  # looks for payloads whose lease ran out
        seen.append((InboundPayload.objects.filter(status=PayloadStatus.RECEIVED).count(), batch.claim(10)[0]))
        return real_apply(items)

    monkeypatch.setattr(batch, "apply_group", slow_group)
    assert batch.drain(group=1) == 3
    # before the second and third groups the worker renewed the lease of what it had left: the other worker finds
    # nothing to claim, and no payload counted an attempt it did not use
    assert seen == [(3, []), (2, []), (1, [])]
    assert set(InboundPayload.objects.values_list("status", "attempts")) == {(PayloadStatus.PROCESSED, 1)}
    assert len(inbound()) == 3


def test_workers_side_by_side_claim_disjoint_payloads(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> None:
    for n in range(5):
        send(client, sender, account, n)
    first, _ = batch.claim(3)
    second, _ = batch.claim(3)
    assert len(first) == 3 and len(second) == 2 and not {p.pk for p in first} & {p.pk for p in second}
    assert batch.claim(3) == ([], 0)


def test_with_the_batch_worker_off_each_payload_gets_its_job_and_a_failing_one_is_quarantined_by_recovery(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None, settings: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings.INBOUND_BATCH_WORKER = False
    send(client, sender, account, 0)
    payload = InboundPayload.objects.get()
    assert list(DBTaskResult.objects.filter(task_path=PROCESS_PAYLOAD).values_list("args_kwargs", flat=True)) == [
        {"args": [payload.pk], "kwargs": {}}]
    monkeypatch.setattr(pipeline, "apply_in_transaction", lambda payload, prepared: 1 / 0)
    for _ in range(batch.MAX_ATTEMPTS):
        with pytest.raises(ZeroDivisionError):
            process_payload.call(payload.pk)
    recover_stalled.call(older_than_seconds=0)
    assert DBTaskResult.objects.filter(task_path=PROCESS_PAYLOAD).count() == 1  # not enqueued again
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.QUARANTINED and "Not applied after 3 attempts" in payload.error


def test_an_unreadable_payload_is_quarantined_by_the_worker(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> None:
    send(client, sender, account, 0)
    InboundPayload.objects.update(raw=b"   ")
    assert batch.drain() == 1
    assert InboundPayload.objects.get().status == PayloadStatus.QUARANTINED
    assert not inbound()


def test_the_worker_command_drains_what_is_received_and_stops_with_once(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> None:
    for n in range(5):
        send(client, sender, account, n)
    call_command("inbound_worker", "--once", "--group", "2")
    assert len(inbound()) == 5
    assert not InboundPayload.objects.filter(status=PayloadStatus.RECEIVED).exists()


def test_a_webhook_skips_the_middleware_stack_but_not_its_security_headers_and_a_voice_callback_does_not(
        client: Client, account: ChannelAccount, sender: TwilioSender, settings: Any) -> None:
    response = send(client, sender, account, 0)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("WebhookFastPathMiddleware")]
    full_stack = send(Client(), sender, account, 1)  # a new client loads the changed MIDDLEWARE
    assert hasattr(full_stack.wsgi_request, "session")
    assert response.status_code == 200 and response.content == TWIML
    assert not hasattr(response.wsgi_request, "session")  # SessionMiddleware and the rest did not run
    assert response["Content-Length"] == str(len(TWIML))  # as CommonMiddleware gave it: no chunked answer
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                 "Cross-Origin-Opener-Policy"):  # the headers the whole stack gives every answer
        assert response[name] == full_stack[name], name
    voice = sender.sign(endpoint_url(account, Endpoint.VOICE), {"CallSid": "CA" + "1" * 32, "From": RESIDENT,
                                                                "To": OUR_NUMBER, "CallStatus": "ringing"})
    assert hasattr(voice.send_django(client).wsgi_request, "session")


def test_a_group_reads_ahead_yet_a_stop_and_a_second_text_from_one_number_in_it_see_each_other(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        django_assert_max_num_queries: Any) -> None:
    send(client, sender, account, 0, from_="+12025550150")  # an earlier case, continued in the group below
    assert batch.drain() == 1
    texts = [("+12025550150", "More water now"), ("+12025550151", "Tree down on Oak St"),
             ("+12025550151", "It blocks the road"), ("+12025550152", "STOP"), ("+12025550152", "Broken light")]
    for n, (number, body) in enumerate(texts, start=1):
        send(client, sender, account, n, from_=number, body=body)
    with django_assert_max_num_queries(80):
        assert batch.drain(group=20) == 5  # one group
    cases = dict(Message.objects.filter(direction="in").values_list("body_text", "case_id"))
    assert cases["More water now"] == cases[f"Flooding on River Road ({0})"]
    assert cases["It blocks the road"] == cases["Tree down on Oak St"]
    assert len(set(cases.values())) == 3  # +150's, +151's and +152's light
    acks = Message.objects.filter(direction="out", is_automatic=True)
    # one acknowledgement per new case, none to the number that opted out just before (its STOP is confirmed)
    assert sorted(acks.exclude(recipient="+12025550152").values_list("recipient", flat=True)) == [
        "+12025550150", "+12025550151"]
    assert not acks.filter(recipient="+12025550152", case__isnull=False).exists()


def test_the_acknowledgement_goes_where_reply_target_would_send_it(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None) -> None:
    from civicdesk.conversations.models import Conversation
    from civicdesk.conversations.replies import received_target, reply_target

    send(client, sender, account, 0)
    batch.drain()
    message = Message.objects.select_related("case", "sender_identity").get(direction="in")
    conversation = Conversation.objects.get()
    assert received_target(message.case, message, conversation) == reply_target(message.case)
    assert received_target(message.case, message, None) is None


def test_new_cases_from_new_numbers_cost_few_statements_and_keep_every_audit_entry(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        django_assert_max_num_queries: Any) -> None:
    from civicdesk.audit.models import AuditAction, AuditEntry

    send(client, sender, account, 99, from_="+12025550159")  # this year's first case number is made
    batch.drain()
    numbers = [f"+120255501{60 + n}" for n in range(8)]
    for n, number in enumerate(numbers):
        send(client, sender, account, n, from_=number)
    # per text: the case number (SQLite's counter; PostgreSQL reserves the group's numbers in one statement), the
    # case, the message, the conversation and the acknowledgement (no consent read for a number added just now);
    # per batch: the claim (3 statements), the routing (2), the group's check (2), its read-ahead (3), every new
    # sender's contact and identity (2 INSERTs for all), the case numbers' reservation (2, PostgreSQL), the agency's
    # SLA policies (1, kept for the group), the payloads' outcomes (1 UPDATE), one INSERT of every audit entry, the
    # one delivery job of the group's acknowledgements and the account's health; the test transaction's savepoints
    # stand for BEGIN and COMMIT. It was 9 statements a text before senders and outcomes were written for the group.
    with django_assert_max_num_queries(5 * len(numbers) + 21):
        assert batch.drain(group=8) == len(numbers)
    assert Message.objects.filter(direction="out", is_automatic=True).count() == len(numbers) + 1
    entries = list(AuditEntry.objects.values_list("action", flat=True))
    for action in (AuditAction.CONTACT_CREATED, AuditAction.IDENTITY_ADDED, AuditAction.CASE_CREATED,
                   AuditAction.ROUTED):
        assert entries.count(action) == len(numbers) + 1, action


def test_a_group_that_fails_drops_its_gathered_audit_entries_with_it(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civicdesk.audit.models import AuditAction, AuditEntry

    for n in range(3):
        send(client, sender, account, n, from_=f"+1202555017{n}")
    poison = InboundPayload.objects.get(provider_message_id=f"SM{2:032d}")
    real = pipeline.apply_in_transaction

    def failing(payload: InboundPayload, prepared: Any) -> Any:
        result = real(payload, prepared)
        if payload.pk == poison.pk:
            raise RuntimeError("bad luck")  # after its contact, case and entries were written
        return result

    monkeypatch.setattr(pipeline, "apply_in_transaction", failing)
    monkeypatch.setattr(pipeline, "apply", transaction.atomic(failing))  # as apply is: a savepoint of its own
    assert batch.drain(group=8) == 2  # redone with a savepoint each: the other two apply
    assert AuditEntry.objects.filter(action=AuditAction.CASE_CREATED).count() == 2
    assert AuditEntry.objects.filter(action=AuditAction.CONTACT_CREATED).count() == 2


def test_an_account_is_read_once_per_process_and_a_change_is_seen_by_the_next_webhook(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        django_assert_num_queries: Any) -> None:
    from civicdesk.channels.actions import set_account_active

    assert send(client, sender, account, 0).status_code == 200
    with django_assert_num_queries(4):  # the known-id check and the INSERT in a savepoint: no account read
        assert send(client, sender, account, 1).status_code == 200
    set_account_active(account, active=False)
    assert send(client, sender, account, 2).status_code == 404
    set_account_active(account, active=True)
    account.set_credentials({"account_sid": "AC" + "9" * 32, "auth_token": "a-new-token"})
    account.save()
    assert send(client, sender, account, 3).status_code == 403  # signed with the old token
    assert send(client, sender.__class__(auth_token="a-new-token"), account, 4).status_code == 200


def test_a_groups_acknowledgements_go_out_by_one_job_that_still_reads_each_opt_out_just_before_its_send(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None, settings: Any,
        prism: str, django_assert_max_num_queries: Any) -> None:  # noqa: F811
    from civicdesk.cases.models import DeliveryStatus
    from civicdesk.contacts.models import Identity
    from civicdesk.conversations.consent import set_consent
    from civicdesk.conversations.models import ConsentSource
    from civicdesk.conversations.tasks import deliver_messages
    from civicdesk.core.jobs import DELIVER_MESSAGES

    settings.TWILIO_API_BASE_URL = prism
    numbers = [f"+120255502{10 + n}" for n in range(5)]
    for n, number in enumerate(numbers):
        send(client, sender, account, n, from_=number)
    assert batch.drain(group=10) == len(numbers)
    [job] = DBTaskResult.objects.filter(task_path__in=[DELIVER_MESSAGE, DELIVER_MESSAGES])
    acks = list(Message.objects.filter(direction="out").order_by("pk"))
    assert job.task_path == DELIVER_MESSAGES and job.queue_name == "automatic"
    assert job.args_kwargs["args"] == [[ack.pk for ack in acks]]
    # the third resident texts STOP after the job was enqueued: their acknowledgement is refused, not sent
    stopped = Identity.objects.get(value=numbers[2])
    set_consent(stopped, account, opted_out=True, source=ConsentSource.KEYWORD, keyword="STOP")
    # per text: the attempt's claim (a read and a move, in a transaction: here two savepoint statements), the opt-out
    # reads (identity, consent) and the move to sent; per job: the texts, their attachments, their sending
    # conversations and the account's pause, read once; the refused one's reason and audit entry (about 6); it was
    # 11 statements a text with a job each
    with django_assert_max_num_queries(7 * len(numbers) + 10):
        deliver_messages.call(job.args_kwargs["args"][0])
    for ack in acks:
        ack.refresh_from_db()
    statuses = [ack.delivery_status for ack in acks]
    assert statuses == [DeliveryStatus.SENT] * 2 + [DeliveryStatus.FAILED] + [DeliveryStatus.SENT] * 2
    assert "opted out" in acks[2].last_error and all(ack.provider_message_id.startswith("SM") for ack in acks[:2])


def test_texts_continuing_cases_cost_two_statements_each_and_their_cases_last_activity_moves_once_per_group(
        client: Client, account: ChannelAccount, sender: TwilioSender, database_tasks: None,
        django_assert_max_num_queries: Any) -> None:
    from civicdesk.cases.models import Case

    numbers = [f"+120255503{10 + n}" for n in range(6)]
    for n, number in enumerate(numbers):
        send(client, sender, account, n, from_=number)
    assert batch.drain(group=10) == len(numbers)
    before = dict(Case.objects.values_list("pk", "updated_at"))
    for n, number in enumerate(numbers, start=10):
        send(client, sender, account, n, from_=number, body=f"Still flooding ({n})")
    # per text: the message and its conversation; per group: the claim (3), the group's check (2), its read-ahead
    # (3), the routing (2), every case's updated_at (1 UPDATE), the payloads' outcomes (1), the audit entries and
    # the account's health
    with django_assert_max_num_queries(2 * len(numbers) + 16):
        assert batch.drain(group=10) == len(numbers)
    after = dict(Case.objects.values_list("pk", "updated_at"))
    assert len(after) == len(numbers) and all(after[pk] > before[pk] for pk in before)
