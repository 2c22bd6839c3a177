"""Photos on the staff case page: the image attachments of a timeline, and small thumbnails made on request."""

import io
import logging
from typing import IO, Any

from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from PIL import Image, ImageOps, UnidentifiedImageError

from civicdesk.cases.models import Attachment

log = logging.getLogger(__name__)
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
THUMB_PIXELS = 240  # the longest side of a thumbnail (shown at 7.5rem, sharp on a 2x screen)
MAX_SOURCE_PIXELS = 50_000_000  # larger images are not decoded for a thumbnail (a decompression bomb)


def photos_of(timeline: list[Any]) -> list[Attachment]:
    """The image attachments of the timeline's messages, oldest first (prefetched: no query)."""
    return [attachment for item in timeline if item.message is not None
            for attachment in item.message.attachments.all() if attachment.content_type in INLINE_TYPES]


def _thumbnail(handle: IO[bytes]) -> bytes | None:
    """A JPEG no larger than THUMB_PIXELS a side, or None when the file is not an image Pillow can read safely."""
    try:
        with Image.open(handle) as image:
            if image.width * image.height > MAX_SOURCE_PIXELS:
                return None
            image.draft("RGB", (THUMB_PIXELS * 2, THUMB_PIXELS * 2))  # JPEG: decode at a reduced scale
            small = ImageOps.exif_transpose(image)
            small.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
            if small.mode not in ("RGB", "L"):
                background = Image.new("RGB", small.size, "white")  # transparency on white, as pages show it
                rgba = small.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                small = background
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def thumbnail_response(attachment: Attachment, handle: IO[bytes]) -> HttpResponseBase:
    """The thumbnail of an image attachment; the whole file when it cannot be made (the browser scales it)."""
    with handle:
        data = _thumbnail(handle)
    if data is None:
        log.info("No thumbnail for attachment %s; serving the file", attachment.pk)
        whole = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
        whole["Cache-Control"] = "private, no-store"
        return whole
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"  # the page's live refreshes do not fetch it again
    return response
