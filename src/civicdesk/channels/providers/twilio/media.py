"""Fetching a file Twilio keeps for us (an MMS picture, a voicemail recording) with the account's credentials.

Called by background jobs only, never while parsing: Twilio answers slowly at times and a fetch may fail; the job
retries. The size and the content type are checked before anything is kept.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from civicdesk.channels.registry import AccountConfig

MAX_MEDIA_BYTES = 20 * 1024 * 1024
TIMEOUT_SECONDS = 20


class MediaError(Exception):
    """The file cannot be fetched now (a network error, a 5xx, a missing file): the job tries again later."""


class MediaRefused(MediaError):
    """The file will never be accepted (too large, a forbidden type, a URL outside Twilio's): do not retry."""


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str


def fetch_media(url: str, config: AccountConfig, *, allowed_types: tuple[str, ...] = ("audio/", "image/", "video/"),
                max_bytes: int = MAX_MEDIA_BYTES) -> FetchedMedia:
    """GET `url` with the account's SID and auth token (HTTP basic), following Twilio's redirect to its store."""
    if urlsplit(url).scheme not in ("https", "http"):
        raise MediaRefused("The media URL is not a web address.")
    sid, token = config.credentials.get("account_sid", ""), config.credentials.get("auth_token", "")
    try:
        response = requests.get(url, auth=(sid, token) if sid and token else None, timeout=TIMEOUT_SECONDS,
                                stream=True)
    except requests.RequestException as exc:
        raise MediaError(f"Twilio could not be reached ({type(exc).__name__}).") from exc
    with response:
        if response.status_code >= 400:
            raise MediaError(f"Twilio answered {response.status_code} for the file.")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if not content_type.startswith(allowed_types):
            raise MediaRefused(f"The file's type {content_type or 'unknown'} is not accepted.")
        declared = int(response.headers.get("Content-Length") or 0) if (
            response.headers.get("Content-Length") or "").isdigit() else 0
        if declared > max_bytes:
            raise MediaRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        content = b""
        try:
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > max_bytes:
                    raise MediaRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
        except requests.RequestException as exc:
            raise MediaError(f"The download was cut off ({type(exc).__name__}).") from exc
    return FetchedMedia(content, content_type)
