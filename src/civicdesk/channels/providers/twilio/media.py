"""Fetching a Twilio media file (an MMS picture, a voicemail recording) with the account's credentials.

Twilio's media URLs answer with a redirect to a short-lived storage URL; the credentials (HTTP basic auth,
account SID and auth token) go to Twilio only, never to the host it redirects to. Size and type are checked
against settings before and while the body is read, so an oversized file is never held whole.
"""

import fnmatch
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext

from civicdesk.channels.media import MediaFetchFailed, MediaRejected

MAX_REDIRECTS = 5
CHUNK = 64 * 1024
__all__ = ["FetchedMedia", "MediaFetchFailed", "MediaRejected", "fetch_media"]


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str


def allowed_type(content_type: str) -> bool:
    """Whether INBOUND_MEDIA_TYPES (patterns such as image/*) allows the type."""
    kind = content_type.split(";")[0].strip().lower()
    return any(fnmatch.fnmatchcase(kind, pattern.strip().lower())
               for pattern in settings.INBOUND_MEDIA_TYPES if pattern.strip())


def _auth(config: Any) -> tuple[str, str] | None:
    credentials = (config.get("credentials", config) if isinstance(config, dict)
                   else getattr(config, "credentials", {})) or {}
    sid, token = credentials.get("account_sid", ""), credentials.get("auth_token", "")
    return (sid, token) if sid and token else None


def _same_host(url: str, other: str) -> bool:
    return urlsplit(url).netloc.lower() == urlsplit(other).netloc.lower()


def fetch_media(url: str, config: Any, *, max_bytes: int | None = None) -> FetchedMedia:
    """The file at a Twilio media `url`, fetched with the account's basic auth, following Twilio's redirect.

    Raises MediaRejected (too big, forbidden type, 4xx) or MediaFetchFailed (network, 5xx: retry)."""
    limit = settings.INBOUND_MEDIA_MAX_BYTES if max_bytes is None else max_bytes
    if not url.startswith(("https://", "http://")):
        raise MediaRejected(gettext("The media address is not a web address."))
    auth = _auth(config)
    current = url
    try:
        with requests.Session() as http:
            for _hop in range(MAX_REDIRECTS + 1):
                use_auth = auth if _same_host(current, url) else None  # credentials stay with Twilio's host
                with http.get(current, auth=use_auth, stream=True, allow_redirects=False,
                              timeout=settings.INBOUND_MEDIA_TIMEOUT_SECONDS) as response:
                    if response.is_redirect and response.headers.get("location"):
                        current = urljoin(current, response.headers["location"])
                        continue
                    return _read(response, limit)
    except requests.RequestException as exc:
        raise MediaFetchFailed(gettext("The media could not be fetched: %(error)s")
                               % {"error": type(exc).__name__}) from exc
    raise MediaFetchFailed(gettext("The media address redirected too many times."))


def _read(response: requests.Response, limit: int) -> FetchedMedia:
    status = response.status_code
    if status in (408, 429) or status >= 500:
        raise MediaFetchFailed(gettext("Twilio answered %(status)s for the media; it is tried again later.")
                               % {"status": status})
    if status >= 400:
        raise MediaRejected(gettext("Twilio refused the media (HTTP %(status)s).") % {"status": status})
    content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].strip().lower()
    if not allowed_type(content_type):
        raise MediaRejected(gettext("Files of type %(type)s are not accepted.") % {"type": content_type[:100]})
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise MediaRejected(too_big(int(declared), limit))
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > limit:
            raise MediaRejected(too_big(size, limit))
        chunks.append(chunk)
    return FetchedMedia(b"".join(chunks), content_type)


def too_big(size: int, limit: int) -> str:
    return gettext("The file is larger than the %(limit)s MB accepted (at least %(size)s MB).") % {
        "limit": round(limit / 1_048_576, 1), "size": round(size / 1_048_576, 1)}
