"""X's webhook security: the CRC answer and the x-twitter-webhooks-signature, both base64 HMAC-SHA256 made with the
app's consumer secret (the CRC over the crc_token, the signature over the raw body)."""

import base64
import hashlib
import hmac
import json

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
MAX_CRC_TOKEN = 512  # X's tokens are short; a longer one is not X's


def _digest(secret: str, message: bytes) -> str:
    raw = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(raw).decode("ascii")


def crc_response(secret: str, crc_token: str) -> str:
    """The JSON body answering X's GET ?crc_token=...: {"response_token": "sha256=<base64 HMAC-SHA256>"}."""
    return json.dumps({"response_token": _digest(secret, crc_token.encode("utf-8"))})


def signature(secret: str, body: bytes) -> str:
    """The x-twitter-webhooks-signature value X sends with `body`."""
    return _digest(secret, body)


def valid_signature(secret: str, body: bytes, header: str | None) -> bool:
    """The header is exactly sha256=<base64 HMAC-SHA256(consumer secret, raw body)>, compared in constant time."""
    if not secret or not header:
        return False
    return hmac.compare_digest(header.strip().encode("ascii", "replace"), signature(secret, body).encode("ascii"))
