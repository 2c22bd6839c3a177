"""Fetching a file a resident sent by Messenger or Instagram: Meta's attachment URLs are short-lived signed CDN
addresses, fetched without credentials; size and type are checked against INBOUND_MEDIA_* while reading."""

import fnmatch
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext

from civicdesk.channels.media import MediaFetchFailed, MediaRejected

CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchedMedia:
    content: bytes
    content_type: str


def allowed_type(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return any(fnmatch.fnmatchcase(kind, pattern.strip().lower()) for pattern in settings.INBOUND_MEDIA_TYPES
               if pattern.strip())


def fetch_media(url: str, config: Any = None) -> FetchedMedia:
    """Raises MediaRejected (too big, a refused type, a 4xx: an expired link) or MediaFetchFailed (retry)."""
    limit = settings.INBOUND_MEDIA_MAX_BYTES
    if not url.startswith("https://"):
        raise MediaRejected(gettext("The media address is not a secure web address."))
    try:
        with requests.get(url, stream=True, timeout=settings.INBOUND_MEDIA_TIMEOUT_SECONDS) as response:
            status = response.status_code
            if status in (408, 429) or status >= 500:
                raise MediaFetchFailed(gettext("Meta answered %(status)s for the file; it is tried again later.")
                                       % {"status": status})
            if status >= 400:
                raise MediaRejected(gettext("Meta refused the file (HTTP %(status)s); its link may have expired.")
                                    % {"status": status})
            content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0].lower()
            if not allowed_type(content_type):
                raise MediaRejected(gettext("Files of type %(type)s are not accepted.") % {"type": content_type[:100]})
            chunks, size = [], 0
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise MediaRejected(gettext("The file is larger than the %(limit)s MB accepted.") % {
                        "limit": round(limit / 1_048_576, 1)})
                chunks.append(chunk)
    except requests.RequestException as exc:
        raise MediaFetchFailed(gettext("The file could not be fetched: %(error)s") % {"error": type(exc).__name__}) \
            from exc
    return FetchedMedia(b"".join(chunks), content_type)
