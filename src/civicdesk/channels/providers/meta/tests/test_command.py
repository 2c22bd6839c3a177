"""`civicdesk channels add meta` and `civicdesk channels simulate facebook|instagram`."""

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicdesk.cases.models import Case, Message
from civicdesk.channels.models import Channel, ChannelAccount, InboundPayload, Provider
from civicdesk.conversations import pipeline
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("channels", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def agency(meta_settings: Any) -> Any:
    return create_agency("parks", "Parks")


def test_adding_a_page_stores_its_secrets_encrypted_and_prints_the_webhook_and_verify_token(agency: Any) -> None:
    out = run("add", "meta", "--agency", "parks", "--page-id", "104000000000001", "--page-token", "EAA-page-token-1",
              "--app-secret", "app-secret-0123456789", "--verify-token", "parks-verify-1")
    account = ChannelAccount.objects.get(provider=Provider.META)
    assert account.channel == Channel.FACEBOOK and account.address == "104000000000001"
    assert account.credentials() == {"page_token": "EAA-page-token-1", "app_secret": "app-secret-0123456789",
                                     "verify_token": "parks-verify-1"}
    assert "EAA-page-token-1" not in account.encrypted_credentials
    assert f"https://311.riverbend.example/hooks/meta/{account.pk}/" in out
    assert "'parks-verify-1'" in out and "messages, message_edits, feed" in out
    assert "app-secret-0123456789" not in out and "EAA-page-token-1" not in out
    with pytest.raises(CommandError, match="already connected"):
        run("add", "meta", "--agency", "parks", "--page-id", "104000000000001", "--page-token", "EAA-page-token-1",
            "--app-secret", "app-secret-0123456789")


def test_an_instagram_account_from_the_environment_keeps_only_the_prefix(agency: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("META_PARKS_PAGE_TOKEN", "EAA-from-env")
    monkeypatch.setenv("META_PARKS_APP_SECRET", "secret-from-env")
    monkeypatch.setenv("META_PARKS_VERIFY_TOKEN", "verify-from-env")
    out = run("add", "meta", "--agency", "parks", "--instagram-id", "178400000000001", "--credentials-env",
              "meta_parks")
    account = ChannelAccount.objects.get(provider=Provider.META)
    assert account.channel == Channel.INSTAGRAM and account.credentials_ref == "env:META_PARKS"
    assert account.encrypted_credentials == ""
    assert account.credentials()["page_token"] == "EAA-from-env"
    assert "META_PARKS_VERIFY_TOKEN" in out and "Instagram object" in out


def test_a_bad_page_id_or_missing_secrets_are_refused_in_plain_words(agency: Any) -> None:
    with pytest.raises(CommandError, match="5 to 25 digits"):
        run("add", "meta", "--agency", "parks", "--page-id", "my-page", "--page-token", "x" * 20,
            "--app-secret", "y" * 20)
    with pytest.raises(CommandError, match="both needed"):
        run("add", "meta", "--agency", "parks", "--page-id", "104000000000001")


@pytest.mark.parametrize(("network", "flag", "kind"), [("facebook", "--page-id", "message"),
                                                       ("facebook", "--page-id", "comment"),
                                                       ("instagram", "--instagram-id", "message"),
                                                       ("instagram", "--instagram-id", "comment")])
def test_a_simulated_event_goes_through_the_signed_webhook_and_becomes_a_case(agency: Any, network: str, flag: str,
                                                                              kind: str) -> None:
    run("add", "meta", "--agency", "parks", flag, "104000000000009", "--page-token", "EAA-page-token-1",
        "--app-secret", "app-secret-0123456789")
    out = run("simulate", network, "--account", "104000000000009", "--text", "The fountain is leaking",
              "--kind", kind)
    assert "stored, and queued for processing" in out
    pipeline.process(InboundPayload.objects.get())
    message = Message.objects.get(direction="in")
    assert message.channel == network and message.body_text == "The fountain is leaking"
    assert Case.objects.get().channel == network
