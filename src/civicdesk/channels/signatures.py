"""Webhook signature schemes, all compared in constant time: Meta's X-Hub-Signature-256, Twilio's
X-Twilio-Signature, and a timestamp window for schemes that sign a timestamp."""

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import parse_qsl

HUB_SIGNATURE_HEADER = "X-Hub-Signature-256"
TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature"


def hmac_sha256_hex(secret: str | bytes, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def hub_signature(secret: str | bytes, body: bytes) -> str:
    """The X-Hub-Signature-256 value for `body`: "sha256=" + lower-case hex HMAC-SHA256 of the raw bytes."""
    return "sha256=" + hmac_sha256_hex(secret, body)


def valid_hub_signature(secret: str | bytes, body: bytes, header: str | None) -> bool:
    """Meta (and others): the header must be exactly sha256=<hex HMAC-SHA256(secret, raw body)>."""
    if not header or not secret:
        return False
    scheme, _, digest = header.strip().partition("=")
    if scheme.lower() != "sha256" or not digest:
        return False
    return hmac.compare_digest(digest.lower().encode(), hmac_sha256_hex(secret, body).encode())


def twilio_signature(auth_token: str, url: str, params: Mapping[str, list[str]] | None = None) -> str:
    """base64(HMAC-SHA1(auth token, URL + each parameter name and value, names sorted, repeated values sorted))."""
    data = url
    for name in sorted(params or {}):
        for value in sorted((params or {})[name]):
            data += name + value
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@lru_cache(maxsize=32)
def form_pairs(body: bytes) -> tuple[tuple[tuple[str, str], ...], bool]:
    """(pairs, well_formed): the (name, value) pairs of a form-encoded body, blank values kept, parsed once per body
    (a webhook reads them to verify its signature, to find its id and to hash its content); well_formed: UTF-8 and
    strictly `name=value&...` (else the pairs are read leniently, undecodable bytes replaced)."""
    try:
        text = body.decode("utf-8")
        return tuple(parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text))), True
    except (UnicodeDecodeError, ValueError):
        return tuple(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)), False


def form_params(body: bytes) -> dict[str, list[str]]:
    """The parameters of an application/x-www-form-urlencoded body, every value kept (blank ones too)."""
    params: dict[str, list[str]] = {}
    for name, value in form_pairs(body)[0]:
        params.setdefault(name, []).append(value)
    return params


def _port_variants(url: str) -> set[str]:
    """The URL as given, without its default port and with it (Twilio may sign either form)."""
    variants = {url}
    for scheme, port in (("https://", ":443"), ("http://", ":80")):
        if url.startswith(scheme):
            host, slash, rest = url[len(scheme):].partition("/")
            if host.endswith(port):
                variants.add(scheme + host[: -len(port)] + slash + rest)
            elif ":" not in host.rpartition("]")[2]:
                variants.add(scheme + host + port + slash + rest)
    return variants


def valid_twilio_signature(auth_token: str, url: str, body: bytes, header: str | None) -> bool:
    """Twilio's X-Twilio-Signature over the full URL plus the sorted POST parameters (tried with and without the
    default port, as Twilio's own validator does)."""
    if not header or not auth_token:
        return False
    params = form_params(body)
    return any(hmac.compare_digest(header.strip().encode(), twilio_signature(auth_token, candidate, params).encode())
               for candidate in _port_variants(url))


def within_window(timestamp: str | int | float | None, window_seconds: int = 300, now: float | None = None) -> bool:
    """A signed timestamp (seconds since the epoch) no further than `window_seconds` from now: stops replays of an
    old, validly signed request in schemes that sign a timestamp."""
    try:
        stamp = float(timestamp)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    return abs(current - stamp) <= window_seconds
