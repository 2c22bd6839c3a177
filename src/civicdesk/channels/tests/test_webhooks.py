"""The webhook entry /hooks/<provider>/<account>/: challenge, signature before storage, rejections counted, replay."""

import json
from typing import Any

import pytest
from django.test import Client, override_settings

from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider, WebhookRejection
from civicdesk.channels.signatures import hub_signature
from civicdesk.core import jobs
from civicdesk.testing.factories import create_agency

SECRET = "app-secret-for-tests"
ADAPTER = "civicdesk.channels.tests.hook_adapter.HubTestAdapter"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("hub_adapter")]


@pytest.fixture
def hub_adapter() -> Any:
    with override_settings(CHANNEL_ADAPTERS={"facebook": ADAPTER}, PROVIDER_ADAPTERS={"meta": ADAPTER},
                           WEBHOOK_MAX_BODY_BYTES=10_000):
        yield


@pytest.fixture
def account(db: Any) -> ChannelAccount:
    account = ChannelAccount(channel=Channel.FACEBOOK, provider=Provider.META, agency=create_agency("parks", "Parks"),
                             address="1234567890", display_name="Riverbend Parks on Facebook")
    account.set_credentials({"app_secret": SECRET, "verify_token": "open-sesame"})
    account.save()
    return account


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(jobs, "enqueue", lambda path, *args, **kwargs: calls.append((path, *args)))
    return calls


def url(account: ChannelAccount) -> str:
    return f"/hooks/{account.provider}/{account.pk}/"


def post(client: Client, account: ChannelAccount, body: bytes, signature: str | None, capture: Any) -> Any:
    headers = {} if signature is None else {"X-Hub-Signature-256": signature}
    with capture(execute=True):
        return client.post(url(account), body, content_type="application/json", headers=headers)


def body(message_id: str = "m_1", text: str = "The swings are broken") -> bytes:
    return json.dumps({"id": message_id, "object": "page", "text": text}).encode()


def rejections(account: ChannelAccount) -> dict[str, int]:
    return dict(WebhookRejection.objects.filter(account=account).values_list("reason", "count"))


def test_the_verification_challenge_is_answered_with_the_right_token(client: Client, account: ChannelAccount) -> None:
    response = client.get(url(account), {"hub.mode": "subscribe", "hub.verify_token": "open-sesame",
                                         "hub.challenge": "1158201444"})
    assert response.status_code == 200 and response.content == b"1158201444"


def test_a_challenge_with_the_wrong_token_is_refused_and_counted(client: Client, account: ChannelAccount) -> None:
    response = client.get(url(account), {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert response.status_code == 403 and rejections(account) == {"bad_challenge": 1}


def test_a_good_post_is_stored_once_and_queued(client: Client, account: ChannelAccount, enqueued: list[Any],
                                              django_capture_on_commit_callbacks: Any) -> None:
    raw = body()
    response = post(client, account, raw, hub_signature(SECRET, raw), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    payload = InboundPayload.objects.get()
    assert bytes(payload.raw) == raw and payload.channel == Channel.FACEBOOK and payload.provider_message_id == "m_1"
    assert payload.meta["account_id"] == account.pk and payload.meta["provider"] == "meta"
    assert "X-Hub-Signature-256" not in payload.meta["headers"] and payload.meta["headers"]["Content-Type"]
    assert enqueued == [(jobs.PROCESS_PAYLOAD, payload.pk)]


def test_a_replay_of_the_same_id_is_stored_once_and_queued_once(client: Client, account: ChannelAccount,
                                                               enqueued: list[Any],
                                                               django_capture_on_commit_callbacks: Any) -> None:
    raw = body()
    for _ in range(3):
        assert post(client, account, raw, hub_signature(SECRET, raw), django_capture_on_commit_callbacks
                    ).status_code == 200
    assert InboundPayload.objects.count() == 1 and len(enqueued) == 1


def test_a_bad_signature_is_refused_stores_nothing_and_is_counted(client: Client, account: ChannelAccount,
                                                                 enqueued: list[Any],
                                                                 django_capture_on_commit_callbacks: Any) -> None:
    raw = body()
    forged = hub_signature("not-the-secret", raw)
    assert post(client, account, raw, forged, django_capture_on_commit_callbacks).status_code == 403
    assert post(client, account, raw, "sha256=zz", django_capture_on_commit_callbacks).status_code == 403
    tampered = body(text="Changed after signing")
    assert post(client, account, tampered, hub_signature(SECRET, raw), django_capture_on_commit_callbacks
                ).status_code == 403
    assert InboundPayload.objects.count() == 0 and not enqueued
    assert rejections(account) == {"bad_signature": 3}


def test_a_missing_signature_is_401_and_counted(client: Client, account: ChannelAccount,
                                                django_capture_on_commit_callbacks: Any) -> None:
    assert post(client, account, body(), None, django_capture_on_commit_callbacks).status_code == 401
    assert InboundPayload.objects.count() == 0 and rejections(account) == {"missing_signature": 1}


def test_unknown_inactive_or_mismatched_accounts_are_404(client: Client, account: ChannelAccount,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    raw = body()
    signature = hub_signature(SECRET, raw)
    assert client.post(f"/hooks/meta/{account.pk + 1000}/", raw, content_type="application/json",
                       headers={"X-Hub-Signature-256": signature}).status_code == 404
    assert client.get(f"/hooks/twilio/{account.pk}/").status_code == 404  # not this account's provider
    assert client.get(f"/hooks/nosuch/{account.pk}/").status_code == 404
    ChannelAccount.objects.filter(pk=account.pk).update(is_active=False)
    assert post(client, account, raw, signature, django_capture_on_commit_callbacks).status_code == 404
    assert InboundPayload.objects.count() == 0 and not WebhookRejection.objects.exists()


def test_a_provider_without_webhooks_is_404(client: Client, account: ChannelAccount) -> None:
    email = ChannelAccount.objects.create(channel=Channel.EMAIL, provider=Provider.EMAIL, agency=account.agency,
                                          address="parks@riverbend.example")
    assert client.post(url(email), b"x", content_type="text/plain").status_code == 404


def test_only_get_and_post_are_allowed(client: Client, account: ChannelAccount) -> None:
    assert client.put(url(account), b"{}").status_code == 405
    assert client.delete(url(account)).status_code == 405


def test_a_body_over_the_limit_is_413_and_stores_nothing(client: Client, account: ChannelAccount,
                                                         django_capture_on_commit_callbacks: Any) -> None:
    raw = body(text="x" * 20_000)
    assert post(client, account, raw, hub_signature(SECRET, raw), django_capture_on_commit_callbacks
                ).status_code == 413
    assert InboundPayload.objects.count() == 0 and rejections(account) == {"too_large": 1}


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe garbage", b"{not json", b"[]", b'{"id": {"nested": 1}}'])
def test_garbage_never_gives_a_500(client: Client, account: ChannelAccount, raw: bytes, enqueued: list[Any],
                                   django_capture_on_commit_callbacks: Any) -> None:
    assert post(client, account, raw, "sha256=", django_capture_on_commit_callbacks).status_code == 403
    assert post(client, account, raw, "garbage", django_capture_on_commit_callbacks).status_code == 403
    signed = post(client, account, raw, hub_signature(SECRET, raw), django_capture_on_commit_callbacks)
    assert signed.status_code == 200  # validly signed garbage is kept (raw first); the pipeline quarantines it
    assert client.get(url(account), {"hub.mode": "\x00"}).status_code in {400, 403}


def test_unreadable_credentials_answer_503_not_500(client: Client, account: ChannelAccount,
                                                   django_capture_on_commit_callbacks: Any) -> None:
    ChannelAccount.objects.filter(pk=account.pk).update(encrypted_credentials="not-a-fernet-token")
    raw = body()
    assert post(client, account, raw, hub_signature(SECRET, raw), django_capture_on_commit_callbacks
                ).status_code == 503
    assert InboundPayload.objects.count() == 0
