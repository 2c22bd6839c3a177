"""Channel account credentials: encrypted at rest, read from the environment by reference, never in a repr."""

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from civicdesk.channels import credentials
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.registry import AccountConfig, adapter_for_account, get_adapter
from civicdesk.testing.factories import create_agency


@pytest.fixture
def account(db: Any) -> ChannelAccount:
    return ChannelAccount(channel=Channel.SMS, provider=Provider.TWILIO, agency=create_agency("311", "311"),
                          address="+15005550006", display_name="Main number")


def test_stored_credentials_are_encrypted_and_read_back(account: ChannelAccount) -> None:
    account.set_credentials({"auth_token": "tok-secret-123"})
    account.save()
    stored = ChannelAccount.objects.get(pk=account.pk)
    assert "tok-secret-123" not in stored.encrypted_credentials
    assert stored.credentials() == {"auth_token": "tok-secret-123"}


def test_a_key_can_be_rotated_by_putting_the_new_one_first(account: ChannelAccount) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CHANNEL_CREDENTIALS_KEY=old):
        account.set_credentials({"auth_token": "t"})
    with override_settings(CHANNEL_CREDENTIALS_KEY=f"{new},{old}"):
        assert account.credentials() == {"auth_token": "t"}
    with override_settings(CHANNEL_CREDENTIALS_KEY=new), pytest.raises(credentials.CredentialsError):
        account.credentials()


def test_an_environment_reference_reads_every_variable_with_the_prefix(account: ChannelAccount,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_MAIN_AUTH_TOKEN", "from-env")
    monkeypatch.setenv("TWILIO_MAIN_ACCOUNT_SID", "AC123")
    monkeypatch.setenv("TWILIO_MAINLAND_X", "not this one")
    account.credentials_ref = "env:TWILIO_MAIN"
    account.set_credentials({"auth_token": "stored", "extra": "kept"})
    assert account.credentials() == {"auth_token": "from-env", "account_sid": "AC123", "extra": "kept"}
    with pytest.raises(credentials.CredentialsError):
        credentials.from_reference("vault:x")


def test_credentials_never_appear_in_a_repr_or_str(account: ChannelAccount) -> None:
    account.set_credentials({"auth_token": "tok-secret-123"})
    account.save()
    config = AccountConfig.of(account)
    assert config.credentials == {"auth_token": "tok-secret-123"}
    for text in (repr(account), str(account), repr(config), str(config)):
        assert "tok-secret-123" not in text and account.encrypted_credentials not in text


def test_typed_credentials_lines_are_parsed_without_echoing_a_bad_line() -> None:
    assert credentials.parse_lines("# comment\nAuth_Token = a=b\n\napp_secret=s") == {"auth_token": "a=b",
                                                                                   "app_secret": "s"}
    with pytest.raises(ValueError) as error:
        credentials.parse_lines("just-a-secret-token")
    assert "just-a-secret-token" not in str(error.value)


def test_an_account_gets_its_providers_adapter_else_its_channels(account: ChannelAccount) -> None:
    email = ChannelAccount(channel=Channel.EMAIL, provider=Provider.EMAIL, address="a@b.example")
    assert adapter_for_account(email) is get_adapter(Channel.EMAIL)
    with override_settings(PROVIDER_ADAPTERS={}, CHANNEL_ADAPTERS={"sms": "civicdesk.mail.adapter.EmailAdapter"}):
        assert type(adapter_for_account(account)).__name__ == "EmailAdapter"
    with override_settings(PROVIDER_ADAPTERS={}, CHANNEL_ADAPTERS={}), pytest.raises(LookupError):
        adapter_for_account(account)
