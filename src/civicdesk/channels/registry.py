"""Which adapter serves a channel or an account's provider, and the plain AccountConfig that adapters receive."""

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.protocol import ChannelAdapter

ADAPTER_SETTINGS = {"CHANNEL_ADAPTERS", "PROVIDER_ADAPTERS"}


@dataclass(frozen=True)
class AccountConfig:
    """What an adapter knows of one of our accounts: plain values, never the ORM row (credentials kept out of repr)."""

    id: int
    channel: str
    provider: str
    address: str
    credentials: dict[str, str] = field(default_factory=dict, repr=False)
    cursor: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, account: ChannelAccount) -> "AccountConfig":
        """The account's values with its credentials resolved (raises credentials.CredentialsError)."""
        return cls(id=account.pk, channel=account.channel, provider=account.provider, address=account.address,
                   credentials=account.credentials(), cursor=dict(account.cursor))


@cache
def _instance(path: str) -> ChannelAdapter:
    """One adapter object per adapter class path and process (adapters keep no per-account state)."""
    adapter: ChannelAdapter = import_string(path)()
    return adapter


def get_adapter(channel: str) -> ChannelAdapter:
    """The adapter of a channel (CHANNEL_ADAPTERS), for code that knows a payload's channel but not its account."""
    try:
        path = settings.CHANNEL_ADAPTERS[channel]
    except KeyError as exc:
        raise LookupError(f"No adapter is configured for channel {channel!r}") from exc
    return _instance(path)


def has_provider(provider: str) -> bool:
    return provider in settings.PROVIDER_ADAPTERS


def adapter_for_provider(provider: str) -> ChannelAdapter:
    try:
        path = settings.PROVIDER_ADAPTERS[provider]
    except KeyError as exc:
        raise LookupError(f"No adapter is configured for provider {provider!r}") from exc
    return _instance(path)


def adapter_for_account(account: ChannelAccount | AccountConfig) -> ChannelAdapter:
    """The adapter of the account's provider (PROVIDER_ADAPTERS), else of its channel (CHANNEL_ADAPTERS)."""
    if has_provider(account.provider):
        return adapter_for_provider(account.provider)
    return get_adapter(account.channel)


@receiver(setting_changed)
def forget_adapters(setting: str, **kwargs: Any) -> None:
    """override_settings of the adapter maps (tests) takes effect at once."""
    if setting in ADAPTER_SETTINGS:
        _instance.cache_clear()
