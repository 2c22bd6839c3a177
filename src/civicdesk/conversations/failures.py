"""Why a message could not be delivered, in plain words, read from the technical error a server or provider gave.

The error itself (an SMTP reply, a provider's message) stays on the message for staff who need it; this gives the
sentence shown first. Enhanced status codes (RFC 3463) are read before the basic SMTP reply codes.
"""

import re

from django.utils.translation import gettext

from civicdesk.channels.providers.meta.errors import as_clause as meta_clause
from civicdesk.channels.providers.twilio.errors import as_clause

ENHANCED = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
BASIC = re.compile(r"\b([45]\d\d)\b")


def _enhanced(code: tuple[str, str, str]) -> str | None:
    klass, subject, detail = code
    if (subject, detail) in {("1", "1"), ("1", "0"), ("1", "6")}:
        return gettext("the mailbox does not exist")
    if subject == "1" and detail == "2":
        return gettext("the address's mail domain does not exist")
    if subject == "2" and detail == "2":
        return gettext("the mailbox is full")
    if subject == "2" and detail == "1":
        return gettext("the mailbox is disabled")
    if subject == "3" and detail == "4" or (subject, detail) == ("2", "3"):
        return gettext("the message is too large for the receiving server")
    if subject == "7":
        return gettext("the receiving server refused it (spam filter or policy)")
    if subject == "4":
        return gettext("the receiving server could not be reached")
    return None


def plain_reason(error: str) -> str:
    """The cause of a delivery failure as a short clause ("the mailbox does not exist"); never the raw error."""
    text = error or ""
    lowered = text.lower()
    provider_words = as_clause(text) or meta_clause(text)  # a provider's error already in plain words (its code kept)
    if provider_words:
        return provider_words
    if "opted out" in lowered:
        return gettext("the resident opted out of messages on this channel")
    if "no email address" in lowered:
        return gettext("there is no email address to send it to")
    found = ENHANCED.search(text)
    if found is not None:
        reason = _enhanced((found.group(1), found.group(2), found.group(3)))
        if reason:
            return reason
    if any(word in lowered for word in ("connection refused", "timed out", "timeout", "name or service",
                                        "connectionrefused", "gaierror", "network is unreachable",
                                        "connectionerror", "failed to resolve", "max retries exceeded")):
        return gettext("our mail server or provider could not be reached")
    basic = BASIC.search(text)
    if basic is not None:
        code = int(basic.group(1))
        if code in (550, 551, 553):
            return gettext("the mailbox does not exist")
        if code == 552:
            return gettext("the mailbox is full or the message is too large")
        if code == 554:
            return gettext("the receiving server refused it")
        if 400 <= code < 500:
            return gettext("the receiving server kept deferring it")
    if "rejected the number" in lowered or "invalid number" in lowered or "not a valid phone" in lowered:
        return gettext("the phone number cannot receive messages")
    if "undeliverable" in lowered or "bounced" in lowered:
        return gettext("the receiving side reported it undeliverable")
    return gettext("the provider refused it")
