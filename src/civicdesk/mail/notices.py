"""Automatic notices to a sender about mail we could not take (over the attachment limit), built but not sent here."""

from dataclasses import dataclass, field
from email.utils import formataddr, make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from civicdesk.channels.protocol import ParseError

MAX_NAMED_FILES = 10


@dataclass
class OversizeError(ParseError):
    """Attachments over MAX_ATTACHMENTS_BYTES: the payload is quarantined and, when a person sent it, answered."""

    total: int
    limit: int
    reply_to: str = ""  # the sender's address; empty for automatic mail, which is never answered
    message_id: str = ""
    mailbox_address: str = ""
    mailbox_name: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)  # (filename, bytes), largest first

    def __str__(self) -> str:
        return f"Attachments total {self.total:,} bytes, over the limit of {self.limit:,} bytes."


def _file_lines(files: list[tuple[str, int]]) -> str:
    lines = [f"  - {name} ({filesizeformat(size)})" for name, size in files[:MAX_NAMED_FILES]]
    if len(files) > MAX_NAMED_FILES:
        lines.append("  - " + gettext("and %(count)d more") % {"count": len(files) - MAX_NAMED_FILES})
    return "\n".join(lines)


def oversize_text(error: OversizeError) -> str:
    """The polite explanation: what was too large, the limit, and what to do instead."""
    mailbox = error.mailbox_address or settings.DEFAULT_FROM_EMAIL
    text = gettext(
        "Hello,\n\n"
        "Thank you for writing to %(mailbox)s. We could not accept your email because its attachments total "
        "%(size)s, which is over our limit of %(limit)s for one email. Nothing from it was added to a request, "
        "and no case was opened.\n\n"
        "The attachments were:\n%(files)s\n\n"
        "Please send it again with fewer or smaller attachments (for example one or two photos per email), "
        "or report the problem at %(site)s.\n\n"
        "This is an automatic message. We send it at most once an hour to each address."
    ) % {"mailbox": mailbox, "size": filesizeformat(error.total), "limit": filesizeformat(error.limit),
         "files": _file_lines(error.files), "site": f"{settings.SITE_URL}/"}
    return str(text)


def oversize_notice(error: OversizeError) -> EmailMessage:
    """The reply, marked automatic so auto-responders do not answer it, threaded to the mail it is about."""
    sender = (formataddr((error.mailbox_name, error.mailbox_address)) if error.mailbox_address
              else settings.DEFAULT_FROM_EMAIL)
    headers = {"Message-ID": make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN), "Auto-Submitted": "auto-replied",
               "X-Auto-Response-Suppress": "All"}
    if error.message_id:  # one <id> token from parsing.message_ids: no spaces or line breaks
        headers["In-Reply-To"] = headers["References"] = error.message_id
    subject = gettext("Your email was too large and was not received")
    return EmailMessage(subject=str(subject), body=oversize_text(error), from_email=sender, to=[error.reply_to],
                        headers=headers)
