"""A local sender of Twilio's voice callbacks, signed exactly as Twilio signs them (auth token and HMAC-SHA1, or a
shared key and HMAC-SHA256 with the signature-settings header), posted through Django's test client."""

import itertools
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator

from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SHARED_KEY = "test-shared-key-fedcba9876543210"
CALLER = "+12155550123"
OUR_NUMBER = "+12155550199"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
_seq = itertools.count(1)


def sign(url: str, params: dict[str, str], secret: str, algorithm: str = HMAC_SHA1) -> str:
    """X-Twilio-Signature as Twilio computes it (the SDK's own compute_signature)."""
    return str(RequestValidator(secret).compute_signature(url, params, algorithm))


def sid(prefix: str) -> str:
    return f"{prefix}{next(_seq):032x}"


def call_params(call_sid: str, caller: str = CALLER, ours: str = OUR_NUMBER) -> dict[str, str]:
    """The standard parameters of every voice request (twilio.com/docs/voice/twiml#request-parameters)."""
    return {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": ours, "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01", "Direction": "inbound", "Caller": caller, "Called": ours}


def recording_params(call_sid: str, recording_sid: str, **extra: str) -> dict[str, str]:
    """The <Record> action's parameters: the call's, with RecordingUrl, RecordingSid, RecordingDuration, Digits."""
    return {**call_params(call_sid), "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/"
            f"Recordings/{recording_sid}", "RecordingSid": recording_sid, "RecordingDuration": "42", "Digits": "#",
            **extra}


def transcription_params(call_sid: str, recording_sid: str, text: str, status: str = "completed") -> dict[str, str]:
    """transcribeCallback's parameters: the call's, with the transcription and the recording it was made of."""
    return {**call_params(call_sid), "TranscriptionSid": sid("TR"), "TranscriptionText": text,
            "TranscriptionStatus": status, "TranscriptionUrl": f"https://api.twilio.com/2010-04-01/Accounts/"
            f"{ACCOUNT_SID}/Recordings/{recording_sid}/Transcriptions/x", "RecordingSid": recording_sid,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{recording_sid}"}


def post(client: Any, account: ChannelAccount, endpoint: str, params: dict[str, str], *, mode: str = "sha1",
         forged: bool = False, url: str = "", headers: dict[str, str] | None = None) -> Any:
    """POST `params` to the account's `endpoint`, signed over the public URL Twilio calls (SITE_URL + path)."""
    target = url or endpoint_url(account, endpoint)
    extra: dict[str, str] = dict(headers or {})
    if mode == "sha256":
        signature = sign(target, params, SHARED_KEY, HMAC_SHA256)
        extra[SETTINGS_HEADER] = "key=webhooks_sharedkey_test,algorithm=HMAC_SHA256"
    elif mode == "none":
        signature = ""
    else:
        signature = sign(target, params, AUTH_TOKEN, HMAC_SHA1)
    if forged:
        signature = sign(target, params, "not-the-token", HMAC_SHA1)
    if signature:
        extra["X-Twilio-Signature"] = signature
    path = endpoint_url(account, endpoint).removeprefix(settings.SITE_URL.rstrip("/"))
    return client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded", headers=extra)


def voice(client: Any, account: ChannelAccount, **kwargs: Any) -> Any:
    return post(client, account, Endpoint.VOICE, call_params(sid("CA")), **kwargs)
