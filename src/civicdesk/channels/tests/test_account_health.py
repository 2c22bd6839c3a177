"""Account health: last inbound and last error written by the background jobs at most once a minute (never by the
webhook, which stays free of extra writes), without personal data, and read in a fixed number of queries."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civicdesk.cases.models import Direction, Message
from civicdesk.channels import actions, queries
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, PayloadStatus, Provider
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import PermanentSendError
from civicdesk.channels.signatures import hub_signature
from civicdesk.conversations import tasks
from civicdesk.conversations.outbound import outbound_for
from civicdesk.mail.adapter import EmailAdapter
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db
ADAPTER = "civicdesk.channels.tests.hook_adapter.HubTestAdapter"


@pytest.fixture
def account() -> ChannelAccount:
    return ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO,
                                         agency=create_agency("public-works", "Public Works"), address="+12155550100")


def fresh(account: ChannelAccount) -> ChannelAccount:
    account.refresh_from_db()
    return account


def test_the_last_inbound_moves_at_most_once_a_minute(account: ChannelAccount) -> None:
    start = timezone.now()
    actions.note_inbound(account.pk, start)
    actions.note_inbound(account.pk, start + timedelta(seconds=30))
    assert fresh(account).last_inbound_at == start
    actions.note_inbound(account.pk, start + timedelta(seconds=61))
    assert fresh(account).last_inbound_at == start + timedelta(seconds=61)


def test_the_last_error_keeps_the_first_line_without_numbers_or_addresses(account: ChannelAccount) -> None:
    actions.note_error(account.pk, "HTTP 400: The 'To' number +1 (215) 555-0199 is not valid; ask pat@example.com\n"
                                   "traceback...")
    account = fresh(account)
    assert account.last_error == "HTTP 400: The 'To' number … is not valid; ask …"
    assert account.last_error_at is not None
    actions.note_error(account.pk, "Another failure")  # within the minute: kept as it was
    assert fresh(account).last_error.startswith("HTTP 400")


def test_the_processing_job_notes_what_arrived_and_what_could_not_be_read(account: ChannelAccount) -> None:
    with override_settings(CHANNEL_ADAPTERS={"facebook": ADAPTER}):
        payload, _ = store_payload("facebook", b"{not json", meta={"account_id": account.pk})
        tasks.process_payload.call(payload.pk)
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.QUARANTINED
    account = fresh(account)
    assert account.last_error == f"A received payload (number {payload.pk}) could not be read and is quarantined."
    assert account.last_inbound_at is None
    processed = InboundPayload.objects.create(channel="sms", provider_message_id="SM1", raw=b"", meta={
        "account_id": account.pk}, status=PayloadStatus.PROCESSED, received_at=timezone.now())
    actions.note_payload(processed)
    assert fresh(account).last_inbound_at == processed.received_at
    actions.note_payload(replace_meta(processed, {"transport": "smtp"}))  # no account: nothing to note


def replace_meta(payload: InboundPayload, meta: dict[str, Any]) -> InboundPayload:
    payload.meta = meta
    return payload


def test_a_failed_send_is_noted_on_the_account_it_went_out_from(account: ChannelAccount, settings: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    create_agency(settings.DEFAULT_AGENCY_SLUG, "Riverbend 311")
    case = create_case(email="")
    message = Message.objects.create(case=case, direction=Direction.OUTBOUND, channel=Channel.EMAIL, body_text="Hi",
                                     recipient="pat@example.com", delivery_status="queued", created_at=timezone.now())
    mailbox = ChannelAccount.objects.create(channel=Channel.EMAIL, provider=Provider.EMAIL, agency=case.agency,
                                            address="works@riverbend.example")
    monkeypatch.setattr(tasks, "outbound_for",
                        lambda m, account=None: replace(outbound_for(m, account), sender="Works@Riverbend.example"))

    def refuse(self: Any, outgoing: Any, account: Any = None) -> str:
        raise PermanentSendError("550 mailbox pat@example.com unavailable")

    monkeypatch.setattr(EmailAdapter, "send", refuse)
    tasks.deliver_message.call(message.pk)
    assert fresh(mailbox).last_error == "Sending failed: 550 mailbox … unavailable"
    assert fresh(account).last_error == ""


def test_the_webhook_writes_nothing_on_the_account(client: Client, account: ChannelAccount,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    meta = ChannelAccount.objects.create(channel=Channel.FACEBOOK, provider=Provider.META, agency=account.agency,
                                         address="1234567890")
    meta.set_credentials({"app_secret": "s3cret"})
    meta.save()
    body = b'{"id": "m_1", "object": "page"}'
    with override_settings(CHANNEL_ADAPTERS={"facebook": ADAPTER}, PROVIDER_ADAPTERS={"meta": ADAPTER}), \
            CaptureQueriesContext(connection) as seen, django_capture_on_commit_callbacks(execute=False):
        response = client.post(f"/hooks/meta/{meta.pk}/", body, content_type="application/json",
                               headers={"X-Hub-Signature-256": hub_signature("s3cret", body)})
    assert response.status_code == 200
    writes = [q["sql"] for q in seen.captured_queries if "channels_channelaccount" in q["sql"]
              and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []


def test_the_health_of_any_number_of_accounts_is_read_in_two_queries(account: ChannelAccount) -> None:
    for n in range(5):
        ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO, agency=account.agency,
                                      address=f"+1215555020{n}")
    with CaptureQueriesContext(connection) as seen:
        rows = queries.health(queries.accounts())
    assert len(rows) == 6 and len(seen.captured_queries) == 2
    assert rows[0].urls["sms"].endswith(f"/hooks/twilio/{rows[0].account.pk}/")
