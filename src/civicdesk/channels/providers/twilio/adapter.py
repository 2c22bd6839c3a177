"""Twilio SMS and MMS: webhook signatures (auth token or shared key), parsing, and sending by the Messages API."""

import hashlib
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.rest import Client

from civicdesk.channels import sessions
from civicdesk.channels.events import InboundEvent
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError
from civicdesk.channels.providers.twilio import media, parsing
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.providers.twilio.errors import plain_error
from civicdesk.channels.providers.twilio.simulation import simulated_text
from civicdesk.channels.signatures import form_params

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
KEPT_CLIENTS = 32  # per thread: one per account an agency's numbers send from
_clients = threading.local()


def credentials_of(config: Any) -> Mapping[str, str]:
    """An AccountConfig's credentials (or a contract fixture's plain {"credentials": {...}} dict)."""
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def header(headers: Mapping[str, str], name: str) -> str:
    """A request header by name, whatever its case (Django's headers are case-insensitive; a plain dict is not)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), "")
    return str(value or "").strip()


def shared_key_id(settings_header: str) -> str:
    """The key=<id> of X-Twilio-Webhooks-Signature-Settings ("" when it names none)."""
    for part in settings_header.split(","):
        name, sep, value = part.partition("=")
        if sep and name.strip() == "key":
            return value.strip()
    return ""


def signing_secret(headers: Mapping[str, str], config: Any) -> tuple[str, str]:
    """(secret, algorithm) the request says it was signed with: the shared key when the signature-settings header
    names one (that key must be the account's `webhook_key`, `webhook_key_id` if set), else the auth token."""
    credentials = credentials_of(config)
    settings_header = header(headers, SIGNATURE_SETTINGS_HEADER)
    algorithm = get_signature_algorithm(settings_header)
    key_id = shared_key_id(settings_header)
    if key_id:
        expected_id = credentials.get("webhook_key_id", "")
        if expected_id and expected_id != key_id:
            return "", algorithm
        return credentials.get("webhook_key", ""), algorithm
    return credentials.get("auth_token", ""), algorithm


def verify_request(url: str, headers: Mapping[str, str], body: bytes, config: Any) -> bool:
    """Twilio's signature over the exact public URL and the form parameters (or, with ?bodySHA256= in the URL,
    the SHA-256 of a JSON body), by the twilio SDK's RequestValidator. Shared with the voice callbacks."""
    signature = header(headers, SIGNATURE_HEADER)
    secret, algorithm = signing_secret(headers, config)
    if not signature or not secret:
        return False
    if "bodySHA256" in parse_qs(urlsplit(url).query):
        return bool(RequestValidator(secret).validate(url, body.decode("utf-8"), signature, algorithm=algorithm))
    if parsing.is_json(body):
        return False  # a JSON body is only signed through its bodySHA256
    body.decode("utf-8")  # (a body that is not UTF-8 fails here, as Django's POST would)
    params = MultiValueDict(form_params(body))  # every value, as the SDK reads Django's POST; parsed once per body
    return bool(RequestValidator(secret).validate(url, params, signature, algorithm=algorithm))


def client(config: Any) -> Client:
    """The SDK's client for the account, pointed at TWILIO_API_BASE_URL when set (Prism in tests): one per thread,
    account and token, so its HTTP session keeps its connection to Twilio open from one send to the next."""
    credentials = credentials_of(config)
    sid, token = credentials.get("account_sid", ""), credentials.get("auth_token", "")
    if not sid or not token:
        raise PermanentSendError(gettext("The Twilio account has no account SID or auth token: an administrator "
                                         "must add them to the channel account."))
    key = (sid, hashlib.sha256(token.encode()).hexdigest(), settings.TWILIO_API_BASE_URL,
           settings.TWILIO_TIMEOUT_SECONDS)
    kept: dict[tuple[Any, ...], Client] = _clients.__dict__.setdefault("by_key", {})
    found = kept.get(key)
    if found is None:
        http = TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT_SECONDS)
        if http.session is not None:
            sessions.read_environment_once(http.session)
        found = Client(sid, token, http_client=http)
        if settings.TWILIO_API_BASE_URL:
            found.api.base_url = settings.TWILIO_API_BASE_URL.rstrip("/")
        if len(kept) >= KEPT_CLIENTS:
            kept.pop(next(iter(kept)))  # the oldest (a rotated token's, a changed setting's)
        kept[key] = found
    return found


class TwilioAdapter(ChannelAdapter):
    """One Twilio number (a ChannelAccount of provider "twilio"): its SMS and status webhooks, and its texts out."""

    channel = Channel.SMS
    # Outbound media would need a public URL Twilio can fetch; until there is one, files stay off SMS replies.
    capabilities = Capabilities(max_length=1600, attachments=False)
    signature_header = SIGNATURE_HEADER
    missing_signature_status = 403  # an unsigned request is refused like a forged one
    endpoints = (Endpoint.SMS, Endpoint.STATUS)  # what the generic hook accepts after /hooks/twilio/<id>/
    acknowledgement = EMPTY_TWIML  # the body of the webhook's 200: an empty TwiML response, nothing sent back
    acknowledgement_content_type = "text/xml"
    meta_headers = (SIGNATURE_SETTINGS_HEADER,)

    def challenge(self, query: Mapping[str, str], config: Any) -> str | None:
        return None  # Twilio sends no verification GET

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: Any) -> bool:
        return verify_request(url, headers, body, config)

    def simulate(self, config: Any, text: str, kind: str) -> Any:
        """An incoming text, signed as Twilio signs it (`civicdesk channels simulate sms`)."""
        return simulated_text(config, text, kind)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        """MessageSid for an incoming text; "<MessageSid>:<status>" for a status callback, so each state applies
        once and a retry (same sid and status, carrying I-Twilio-Idempotency-Token) is one payload."""
        try:
            if parsing.is_json(raw):
                found = parsing.json_provider_id(raw)
            else:
                params = parsing.form(raw)
                sid = parsing.message_sid(params)
                status = params.get("MessageStatus", "").lower()
                kind = parsing.kind_of(params, meta)
                found = f"{sid}:{status}" if sid and kind == Endpoint.STATUS else sid
        except ParseError:
            found = ""
        return found or super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """Of the parameters in a fixed order: a retry that lists them in another order is the same message."""
        if parsing.is_json(raw):
            return super().content_hash(raw, meta)
        params = form_params(raw)
        canonical = "&".join(f"{name}={value}" for name in sorted(params) for value in sorted(params[name]))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        if not raw.strip():
            raise ParseError("The Twilio webhook body is empty.")
        if parsing.is_json(raw):
            return parsing.events_of_json(raw, meta)
        return parsing.events_of_form(raw, meta)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """One text by the Messages API from our number on `account`, with its status callback; a 4xx answer
        (bad number, opted out) is final, with Twilio's code in plain words; 429, 5xx and network errors retry."""
        if account is None:
            raise PermanentSendError(gettext("No Twilio number is connected for this conversation, so the text "
                                             "cannot be sent."))
        sender = message.sender or getattr(account, "address", "")
        if not sender:
            raise PermanentSendError(gettext("The Twilio account has no phone number to send from."))
        if not message.text.strip():
            raise PermanentSendError(gettext("An empty text cannot be sent."))
        try:
            sent = client(account).messages.create(
                to=message.to, from_=sender, body=message.text,
                status_callback=endpoint_url(account.id, Endpoint.STATUS))
        except TwilioRestException as exc:
            if 400 <= exc.status < 500 and exc.status != 429:
                raise PermanentSendError(plain_error(exc.code, str(exc.msg or ""))) from exc
            raise
        return str(sent.sid or "")

    def fetch_media(self, url: str, config: Any) -> media.FetchedMedia:
        """A media file of an MMS (or a recording) with the account's credentials; see media.fetch_media."""
        return media.fetch_media(url, config)
