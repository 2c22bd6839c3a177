"""The webhook addresses of a Twilio number (what to paste into Twilio's console) and its conversation key."""

from django.conf import settings

from civicdesk.channels.models import ChannelAccount


class Endpoint:
    """The path segment after /hooks/twilio/<account_id>/ of each kind of callback ("" is incoming SMS)."""

    SMS = ""
    STATUS = "status"
    VOICE = "voice"
    RECORDING = "voice/recording"
    TRANSCRIPTION = "voice/transcription"


def hook_base(account: ChannelAccount | int) -> str:
    """SITE_URL (the public base URL Twilio signs, also behind a proxy) and the account's hook path."""
    account_id = account if isinstance(account, int) else account.pk
    return f"{settings.SITE_URL.rstrip('/')}/hooks/twilio/{account_id}/"


def endpoint_url(account: ChannelAccount | int, endpoint: str) -> str:
    """The full address of one callback of the account (always ending in a slash)."""
    return hook_base(account) + (f"{endpoint}/" if endpoint else "")


def webhook_urls(account: ChannelAccount | int) -> dict[str, str]:
    """The three addresses Twilio's console asks for, by the console's own labels."""
    return {"sms": endpoint_url(account, Endpoint.SMS), "status": endpoint_url(account, Endpoint.STATUS),
            "voice": endpoint_url(account, Endpoint.VOICE)}


def conversation_key(resident_number: str, our_number: str) -> str:
    """One conversation per pair of numbers (E.164): texts and calls between them share it."""
    return f"{resident_number}>{our_number}"
