"""The language a contact reads: a code of settings.LANGUAGES, remembered from the pages they used."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.utils import translation

from civicdesk.contacts.models import Contact


def supported_language(code: str | None) -> str:
    """The LANGUAGES code that `code` stands for ("es-MX" -> "es"), or "" when the site does not speak it."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code.strip().lower()[:20])
    except LookupError:
        return ""


def contact_language(contact: Contact | None) -> str:
    """The language to write to this contact in: theirs when known, else the site's default."""
    return (contact.language if contact is not None else "") or supported_language(settings.LANGUAGE_CODE) or "en"


@contextmanager
def writing_to(contact: Contact | None) -> Iterator[str]:
    """Render mail and replies for this contact inside their language (gettext, templates, dates)."""
    language = contact_language(contact)
    with translation.override(language):
        yield language
