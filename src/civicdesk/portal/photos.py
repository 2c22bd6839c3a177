"""Checking uploaded photos by their content (not their name or declared type) and size."""

import io
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext, ngettext
from PIL import Image, UnidentifiedImageError

MAX_PHOTOS = 3
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
}
PILLOW_CHECKED = {"image/jpeg", "image/png", "image/gif", "image/webp"}


class PhotoError(ValueError):
    """A photo that cannot be accepted; the message is shown to the resident."""


@dataclass
class Photo:
    filename: str
    content_type: str
    content: bytes


def human_size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def sniff_image_type(content: bytes) -> str:
    """The image type read from the bytes, or the empty string when it is not an allowed image."""
    kind = filetype.guess(content[:8192])
    if kind is None or kind.mime not in ALLOWED_TYPES:
        return ""
    if kind.mime in PILLOW_CHECKED:
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return ""
    return kind.mime


def read_photo(upload: UploadedFile, position: int) -> Photo:
    """Read one upload, check its size and real type, and give it a safe name."""
    if upload.name:
        label = gettext("Photo {position} ({name})").format(position=position, name=upload.name)
    else:
        label = gettext("Photo {position}").format(position=position)
    limit = settings.MAX_PHOTO_BYTES
    if upload.size is not None and upload.size > limit:
        raise PhotoError(gettext("{photo} is {size}; each photo must be {limit} or smaller.").format(
            photo=label, size=human_size(upload.size), limit=human_size(limit)))
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise PhotoError(gettext("{photo} is too large; each photo must be {limit} or smaller.").format(
            photo=label, limit=human_size(limit)))
    if not content:
        raise PhotoError(gettext("{photo} is empty.").format(photo=label))
    mime = sniff_image_type(content)
    if not mime:
        raise PhotoError(gettext("{photo} is not a JPEG, PNG, GIF, WebP or HEIC image.").format(photo=label))
    return Photo(filename=f"photo-{position}.{ALLOWED_TYPES[mime]}", content_type=mime, content=content)


def read_photos(uploads: list[UploadedFile]) -> tuple[list[Photo], list[str]]:
    """All photos that pass, and one message per problem."""
    uploads = [u for u in uploads if u and u.name]
    if len(uploads) > MAX_PHOTOS:
        return [], [ngettext("You chose {count} photo; you can add up to {limit}.",
                             "You chose {count} photos; you can add up to {limit}.",
                             len(uploads)).format(count=len(uploads), limit=MAX_PHOTOS)]
    photos, errors = [], []
    for position, upload in enumerate(uploads, start=1):
        try:
            photos.append(read_photo(upload, position))
        except PhotoError as exc:
            errors.append(str(exc))
    return photos, errors
