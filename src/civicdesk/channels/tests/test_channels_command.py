"""`civicdesk channels`: connecting a Twilio number to an agency (token stored encrypted or read from the
environment), the webhook addresses it prints, the health listing, and clear errors instead of tracebacks."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.channels.models import Channel, ChannelAccount, Provider, RejectionReason, WebhookRejection
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
SID = "AC" + "0123456789abcdef" * 2
TOKEN = "f" * 32


@pytest.fixture(autouse=True)
def _public_site(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SITE_URL = "https://311.riverbend.example"
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)


@pytest.fixture
def works() -> Any:
    return create_agency("public-works", "Public Works")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("channels", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def add(agency: str = "public-works", number: str = "+1 (215) 555-0100", *extra: str) -> tuple[str, str]:
    return run("add", "twilio", "--agency", agency, "--number", number, "--account-sid", SID, *extra)


def test_adding_a_number_stores_it_in_e164_with_its_token_encrypted_and_prints_the_three_addresses(works: Any) -> None:
    out, err = add("public-works", "(215) 555-0100", "--auth-token", TOKEN, "--name", "Works line")
    account = ChannelAccount.objects.get()
    assert (account.provider, account.channel, account.agency, account.address, account.display_name) == (
        Provider.TWILIO, Channel.SMS, works, "+12155550100", "Works line")
    assert account.credentials() == {"account_sid": SID, "auth_token": TOKEN}
    assert TOKEN not in account.encrypted_credentials and account.credentials_ref == ""
    base = f"https://311.riverbend.example/hooks/twilio/{account.pk}/"
    assert f"A message comes in (Webhook, HTTP POST):   {base}\n" in out
    assert f"{base}status/\n" in out and f"{base}voice/\n" in out
    assert TOKEN not in out + err and err == ""  # https SITE_URL: no warning
    entry = AuditEntry.objects.get(action=AuditAction.AGENCY_CHANGED)
    assert entry.after["address"] == "+12155550100" and entry.actor_label == "command line"
    assert TOKEN not in json.dumps(entry.after)


def test_the_token_may_come_from_a_named_environment_variable_whose_value_is_never_stored(
        works: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_WORKS_AUTH_TOKEN", TOKEN)
    out, _ = add("public-works", "+12155550100", "--auth-token-env", "TWILIO_WORKS_AUTH_TOKEN")
    account = ChannelAccount.objects.get()
    assert account.credentials_ref == "env:TWILIO_WORKS"
    assert TOKEN not in account.encrypted_credentials
    assert account.credentials() == {"account_sid": SID, "auth_token": TOKEN}
    assert "TWILIO_WORKS_AUTH_TOKEN" in out


def test_without_a_token_option_twilio_auth_token_is_used_when_set(works: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="auth token is missing"):
        add()
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    add()
    account = ChannelAccount.objects.get()
    assert account.credentials_ref == "env:TWILIO" and account.credentials()["auth_token"] == TOKEN


def test_a_number_belongs_to_one_agency_and_an_agency_may_have_several(works: Any) -> None:
    create_agency("parks", "Parks")
    add("public-works", "+12155550100", "--auth-token", TOKEN)
    add("public-works", "+12155550101", "--auth-token", TOKEN)
    with pytest.raises(CommandError, match=r"\+12155550100 is already connected to Public Works"):
        add("parks", "215-555-0100", "--auth-token", TOKEN)
    assert list(ChannelAccount.objects.filter(agency=works).values_list("address", flat=True).order_by("address")) \
        == ["+12155550100", "+12155550101"]


@pytest.mark.parametrize(("args", "message"), [
    (["--agency", "nowhere", "--number", "+12155550100", "--account-sid", SID, "--auth-token", TOKEN],
     "No agency has the slug 'nowhere'. Agencies: public-works."),
    (["--agency", "public-works", "--number", "12345", "--account-sid", SID, "--auth-token", TOKEN],
     "“12345” is not a valid phone number"),
    (["--agency", "public-works", "--number", "+12155550100", "--account-sid", "AC123", "--auth-token", TOKEN],
     "The Account SID is “AC” and 32"),
    (["--agency", "public-works", "--number", "+12155550100", "--account-sid", SID, "--auth-token", "short"],
     "does not look like an auth token"),
    (["--agency", "public-works", "--number", "+12155550100", "--account-sid", SID, "--auth-token-env", "TOKEN"],
     "its name ends in _AUTH_TOKEN"),
])
def test_bad_input_is_a_clear_command_error_and_nothing_is_stored(works: Any, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as caught:
        run("add", "twilio", *args)
    assert message in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert not ChannelAccount.objects.exists()


def test_an_unreachable_site_url_is_warned_about(works: Any, settings: Any) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"
    out, err = add("public-works", "+12155550100", "--auth-token", TOKEN)
    assert "http://127.0.0.1:8000/hooks/twilio/" in out and "SITE_URL is http://127.0.0.1:8000" in err


def test_the_list_shows_every_account_with_its_health(works: Any) -> None:
    add("public-works", "+12155550100", "--auth-token", TOKEN)
    sms = ChannelAccount.objects.get()
    mailbox = ChannelAccount.objects.create(channel=Channel.EMAIL, provider=Provider.EMAIL, agency=works,
                                            address="works@riverbend.example")
    now = timezone.now()
    ChannelAccount.objects.filter(pk=sms.pk).update(last_inbound_at=now, last_error_at=now,
                                                    last_error="Sending failed: HTTP 401")
    for reason, count in ((RejectionReason.BAD_SIGNATURE, 4), (RejectionReason.MISSING_SIGNATURE, 2),
                          (RejectionReason.TOO_LARGE, 5)):
        WebhookRejection.objects.create(account=sms, reason=reason, count=count, first_at=now, last_at=now)
    out, _ = run("list")
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "PROVIDER", "CHANNEL", "ADDRESS", "AGENCY", "STATE", "LAST", "INBOUND", "LAST",
                                "ERROR", "REJECTED", "SIGNATURES", "LIMITS"]
    assert any(line.startswith(str(mailbox.pk)) and "works@riverbend.example" in line and "never" in line
               for line in lines)
    row = next(line for line in lines if "+12155550100" in line)
    assert row.split()[-2:] == ["6", "-"] and "active" in row and "ago" in row
    assert "last error: Sending failed: HTTP 401" in out
    data = json.loads(run("list", "--json")[0])
    twilio = next(item for item in data if item["provider"] == "twilio")
    assert (twilio["rejected_signatures"], twilio["rejected"], twilio["last_error"]) == (6, 11, "Sending failed: "
                                                                                                "HTTP 401")
    assert twilio["webhook_urls"]["voice"].endswith(f"/hooks/twilio/{sms.pk}/voice/")
    assert next(item for item in data if item["provider"] == "email")["webhook_urls"] == {}
    assert TOKEN not in out and TOKEN not in json.dumps(data)


def test_the_list_is_filtered_by_agency_and_says_when_there_is_nothing(works: Any) -> None:
    create_agency("parks", "Parks")
    assert "No channel accounts yet" in run("list")[0]
    add("public-works", "+12155550100", "--auth-token", TOKEN)
    assert "+12155550100" not in run("list", "--agency", "parks")[0]
    with pytest.raises(CommandError, match="No agency has the slug 'nope'"):
        run("list", "--agency", "nope")


def test_disable_enable_and_remove_find_the_account_by_number_or_id(works: Any) -> None:
    add("public-works", "+12155550100", "--auth-token", TOKEN)
    account = ChannelAccount.objects.get()
    assert "Disabled +12155550100" in run("disable", "2155550100")[0]
    assert "already disabled" in run("disable", str(account.pk))[0]
    account.refresh_from_db()
    assert account.is_active is False
    assert "Enabled +12155550100" in run("enable", "+1 215 555 0100")[0]
    assert f"/hooks/twilio/{account.pk}/voice/" in run("urls", str(account.pk))[0]
    assert "Removed +12155550100" in run("remove", "+12155550100")[0]
    assert not ChannelAccount.objects.exists()
    with pytest.raises(CommandError, match="No channel account has the id or address '99'"):
        run("disable", "99")


def test_an_account_with_conversations_cannot_be_removed_only_disabled(works: Any) -> None:
    from civicdesk.conversations.models import Conversation
    add("public-works", "+12155550100", "--auth-token", TOKEN)
    account = ChannelAccount.objects.get()
    Conversation.objects.create(account=account, channel=Channel.SMS, thread_key="+12155550199>+12155550100",
                                created_at=timezone.now())
    with pytest.raises(CommandError, match="has conversations on cases, so it cannot be removed; disable it"):
        run("remove", str(account.pk))
    assert ChannelAccount.objects.filter(pk=account.pk).exists()
    assert not AuditEntry.objects.filter(after__removed=True).exists()
