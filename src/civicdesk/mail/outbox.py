"""The built-in outbox: a Django email backend that keeps every message in the database instead of sending it.

settings.EMAIL_BACKEND is this backend when no EMAIL_HOST is set, so a fresh install never retries into a mail
server that is not there. Staff read what it kept at /staff/outbox/ (mail.views), each marked "captured, not sent".
"""

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from civicdesk.mail.actions import capture_email


class OutboxBackend(BaseEmailBackend):
    captures = True  # what send_email checks: kept here, not sent (conversations.delivery records "captured")

    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.captured_ids: list[int] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        kept = 0
        for mail in email_messages:
            if not mail.recipients():
                continue
            self.captured_ids.append(capture_email(mail).pk)
            kept += 1
        return kept
