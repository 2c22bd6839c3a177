"""Twilio's request signatures, checked with the twilio SDK's RequestValidator: X-Twilio-Signature over the public
URL and the form parameters, with the account's auth token (HMAC-SHA1) or, when Twilio says so in
X-Twilio-Webhooks-Signature-Settings, with a shared key (HMAC-SHA256)."""

from collections.abc import Mapping

from twilio.request_validator import HMAC_SHA1, HMAC_SHA256, RequestValidator, get_signature_algorithm

from civicdesk.channels.signatures import TWILIO_SIGNATURE_HEADER, form_params

SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def signing_secret(credentials: Mapping[str, str], algorithm: str) -> str:
    """The secret Twilio signed with: the auth token (SHA-1), or the account's shared key (SHA-256)."""
    if algorithm == HMAC_SHA256:
        return credentials.get("shared_key", "") or credentials.get("webhook_shared_key", "")
    return credentials.get("auth_token", "")


def verify_request(url: str, headers: Mapping[str, str], body: bytes, credentials: Mapping[str, str]) -> bool:
    """Whether the request's X-Twilio-Signature matches `url` (the public one, SITE_URL + path and query) and the
    form parameters of `body`; False for a missing signature or secret, an unknown algorithm or a bad body."""
    signature = headers.get(TWILIO_SIGNATURE_HEADER, "")
    algorithm = get_signature_algorithm(headers.get(SETTINGS_HEADER, "")).upper()
    if algorithm not in (HMAC_SHA1, HMAC_SHA256):
        return False
    secret = signing_secret(credentials, algorithm)
    if not signature or not secret:
        return False
    params = form_params(body)
    return bool(RequestValidator(secret).validate(url, _Params(params), signature.strip(), algorithm=algorithm))


def sign(url: str, params: Mapping[str, str | list[str]], secret: str, algorithm: str = HMAC_SHA1) -> str:
    """The X-Twilio-Signature Twilio would send (for tests and the local sender)."""
    listed = {name: value if isinstance(value, list) else [value] for name, value in params.items()}
    return str(RequestValidator(secret).compute_signature(url, _Params(listed), algorithm))


class _Params(dict[str, list[str]]):
    """Form parameters with every value of a repeated name, as the SDK's validator reads them (getlist)."""

    def getlist(self, name: str) -> list[str]:
        return list(self[name])
