"""Files received with a payload but kept beside it (the portal's photos): stored once by content, read back on parse;
and the two ways fetching a provider's media file (an MMS picture) can fail.

A raw payload stays small and replayable: it names each file by its sha256, and the file is written before the
payload is stored, so nothing received is lost. Writing the same content twice keeps one file.
"""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from civicdesk.channels.protocol import ParseError

FOLDER = "inbound"


class MediaRejected(Exception):
    """A provider's media file that can never be kept (too big, a forbidden type, refused): not retried."""


class MediaFetchFailed(Exception):
    """A provider's media file that could not be fetched for now (network, a 5xx): retried with backoff."""


@dataclass
class StagedFile:
    path: str
    sha256: str
    size: int


def staged_path(channel: str, digest: str) -> str:
    return f"{FOLDER}/{channel}/{digest[:2]}/{digest}"


def stage_file(channel: str, content: bytes) -> StagedFile:
    """Keep `content` under its sha256 (idempotent: a file already there is the same content)."""
    digest = hashlib.sha256(content).hexdigest()
    path = staged_path(channel, digest)
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:  # another process wrote the same file at the same moment: keep one copy
            default_storage.delete(saved)
    return StagedFile(path=path, sha256=digest, size=len(content))


def read_staged(channel: str, digest: str) -> bytes:
    """The content of a staged file, checked against its sha256; ParseError when it is missing or altered."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ParseError("A staged file is named by an invalid sha256.")
    path = staged_path(channel, digest)
    try:
        with default_storage.open(path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        raise ParseError(f"The staged file {digest[:12]}… is missing.") from exc
    if hashlib.sha256(content).hexdigest() != digest:
        raise ParseError(f"The staged file {digest[:12]}… does not match its sha256.")
    return content
