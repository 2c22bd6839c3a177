"""A local stand-in for Twilio's webhook requests (tests, trials, benchmarks): it signs exactly as Twilio does.

    sender = TwilioSender(auth_token="...")
    request = sender.sign(url, sms_params(from_="+12025550143", to="+12025550100", body="Pothole on Elm"))
    response = request.send_django(client)      # Django's test Client (the path of `url` is requested)
    status, body = request.send_http()          # a live server, over real HTTP (urllib)

Twilio's scheme (the twilio SDK's RequestValidator.compute_signature): base64 HMAC of the full URL followed by
every POST parameter name and value, names sorted; HMAC-SHA1 with the account's auth token, or, when a Webhooks
rule signs with a shared key, HMAC-SHA256 with that key and the header
`X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=HMAC_SHA256`. A JSON body is signed through the
`bodySHA256` query parameter (the body's SHA-256, hex) added to the URL, with no parameters.

Every request carries an `I-Twilio-Idempotency-Token`; `retry()` sends a request again with the same token, as
Twilio retries. `forge=True` spoils the signature, `signed_url=` signs another address than the one requested.
Sids and numbers are fictional (555-01xx numbers).
"""

import hashlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.utils.datastructures import MultiValueDict
from twilio.request_validator import (
    HMAC_SHA1,
    HMAC_SHA256,
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
)

TEST_ACCOUNT_SID = "AC" + "0" * 31 + "1"
USER_AGENT = "TwilioProxy/1.1"
IDEMPOTENCY_HEADER = "I-Twilio-Idempotency-Token"
FORM = "application/x-www-form-urlencoded"
Params = dict[str, str] | list[tuple[str, str]]


def new_sid(prefix: str = "SM") -> str:
    """A fresh sid in Twilio's shape: two letters and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def idempotency_token() -> str:
    return f"{secrets.token_hex(16)}-{secrets.token_hex(8)}"


def sms_params(*, from_: str, to: str, body: str, sid: str = "", account_sid: str = TEST_ACCOUNT_SID,
               media: list[tuple[str, str]] | None = None, num_segments: int = 1) -> dict[str, str]:
    """An incoming SMS (or, with `media` as (url, content type) pairs, MMS) as Twilio posts it to the SMS URL."""
    sid = sid or new_sid("MM" if media else "SM")
    params = {
        "ToCountry": "US", "ToState": "DC", "SmsMessageSid": sid, "NumMedia": str(len(media or [])),
        "ToCity": "WASHINGTON", "FromZip": "20001", "SmsSid": sid, "FromState": "DC", "SmsStatus": "received",
        "FromCity": "WASHINGTON", "Body": body, "FromCountry": "US", "To": to, "ToZip": "20004",
        "NumSegments": str(num_segments), "MessageSid": sid, "AccountSid": account_sid, "From": from_,
        "ApiVersion": "2010-04-01",
    }
    for index, (url, content_type) in enumerate(media or []):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params


def media_url(sid: str, index: int = 0, account_sid: str = TEST_ACCOUNT_SID,
              base: str = "https://api.twilio.com") -> str:
    """Where Twilio keeps an MMS's media (`base`: a local server standing in for api.twilio.com)."""
    media_sid = "ME" + hashlib.sha256(f"{sid}/{index}".encode()).hexdigest()[:32]
    return f"{base.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages/{sid}/Media/{media_sid}"


def status_params(*, sid: str, status: str, from_: str, to: str, error_code: str = "",
                  account_sid: str = TEST_ACCOUNT_SID) -> dict[str, str]:
    """A status callback about one of our texts (queued, sent, delivered, undelivered, failed, read)."""
    params = {"SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "To": to, "MessageSid": sid,
              "AccountSid": account_sid, "From": from_, "ApiVersion": "2010-04-01"}
    if error_code:
        params["ErrorCode"] = error_code
    return params


@dataclass(frozen=True)
class SignedRequest:
    """One webhook request as Twilio would send it: where to, the raw body, and the headers."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", FORM)

    def retry(self) -> "SignedRequest":
        """The same request again, with the same idempotency token (how Twilio retries)."""
        return replace(self, headers=dict(self.headers))

    def send_django(self, client: Any) -> Any:
        """Post through Django's test Client: the URL's path and query, the raw body, the headers."""
        parts = urlsplit(self.url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {name: value for name, value in self.headers.items() if name != "Content-Type"}
        return client.post(path, self.body, content_type=self.content_type, headers=extra)

    def send_http(self, address: str = "", timeout: float = 10) -> tuple[int, bytes]:
        """Post over real HTTP to `address` (default: the signed URL itself); (status, body), errors included."""
        target = address or self.url
        request = urllib.request.Request(target, data=self.body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - test tooling
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@dataclass(frozen=True)
class TwilioSender:
    """Signs webhook requests with an account's auth token, or (shared_key set) Twilio's SHA-256 shared key."""

    auth_token: str
    shared_key: str = ""
    shared_key_id: str = "webhooks_sharedkey_test"

    def signature(self, url: str, params: Params | str | None) -> str:
        """X-Twilio-Signature for `url` and the form parameters (a str: a JSON body, signed by URL alone)."""
        validator = RequestValidator(self.shared_key or self.auth_token)
        algorithm = HMAC_SHA256 if self.shared_key else HMAC_SHA1
        values: MultiValueDict[str, str] = MultiValueDict()
        if not isinstance(params, str):
            for name, value in (params.items() if isinstance(params, dict) else params or []):
                values.appendlist(name, value)
        return str(validator.compute_signature(url, values, algorithm))

    def _headers(self, signature: str, content_type: str, token: str) -> dict[str, str]:
        headers = {"Content-Type": content_type, "User-Agent": USER_AGENT, SIGNATURE_HEADER: signature,
                   IDEMPOTENCY_HEADER: token or idempotency_token(), "X-Home-Region": "us1"}
        if self.shared_key:
            headers[SIGNATURE_SETTINGS_HEADER] = f"key={self.shared_key_id},algorithm={HMAC_SHA256}"
        return headers

    def sign(self, url: str, params: Params, *, forge: bool = False, signed_url: str = "",
             token: str = "") -> SignedRequest:
        """A form-encoded request to `url` (signed over `signed_url` instead when given: a wrong URL)."""
        body = urlencode(params).encode()
        signature = self.signature(signed_url or url, params)
        return SignedRequest(url, body, self._headers(spoil(signature) if forge else signature, FORM, token))

    def sign_json(self, url: str, payload: Any, *, forge: bool = False, signed_url: str = "",
                  token: str = "") -> SignedRequest:
        """A JSON request (Event Streams' webhook sink): bodySHA256=<sha256 hex> is added to the URL and signed."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        digest = hashlib.sha256(body).hexdigest()
        with_hash = f"{url}{'&' if '?' in url else '?'}bodySHA256={digest}"
        signed = f"{signed_url}{'&' if '?' in signed_url else '?'}bodySHA256={digest}" if signed_url else with_hash
        signature = self.signature(signed, body.decode())
        return SignedRequest(with_hash, body, self._headers(spoil(signature) if forge else signature,
                                                            "application/json", token))


def spoil(signature: str) -> str:
    """A signature of the right shape that matches nothing: one character changed."""
    if not signature:
        return "AAAA"
    return ("B" if signature[0] == "A" else "A") + signature[1:]
