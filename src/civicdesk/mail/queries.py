"""Read-only lookups for the email channel: mailboxes by address, the thread of a case, the outbox staff may read."""

from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.cases.permissions import is_admin, staff_profile, visible_cases
from civicdesk.mail.models import CapturedEmail, Mailbox


def active_mailboxes() -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(account__is_active=True).select_related("account__agency")


def mailbox_for(addresses: list[str]) -> Mailbox | None:
    """The first active mailbox among the addresses, in the order given (envelope before headers)."""
    wanted = list(dict.fromkeys(a.strip().lower() for a in addresses if a and "@" in a))[:50]
    if not wanted:
        return None
    condition = reduce(or_, (Q(account__address__iexact=a) for a in wanted))
    found = {m.address.lower(): m for m in active_mailboxes().filter(condition)}
    return next((found[a] for a in wanted if a in found), None)


def is_known_address(address: str) -> bool:
    return active_mailboxes().filter(account__address__iexact=address.strip()).exists()


def mailbox_for_agency(agency_id: int) -> Mailbox | None:
    return active_mailboxes().filter(account__agency_id=agency_id).order_by("pk").first()


def thread_ids(case: Case, *, exclude_message: int | None = None) -> tuple[str, list[str]]:
    """(latest inbound email Message-ID, every Message-ID on the case in order) for In-Reply-To/References."""
    messages = Message.objects.filter(case=case).exclude(email_message_id="")
    if exclude_message is not None:
        messages = messages.exclude(pk=exclude_message)
    rows = list(messages.order_by("created_at", "id").values_list("direction", "email_message_id"))
    inbound = [mid for direction, mid in rows if direction == Direction.INBOUND]
    chain = list(dict.fromkeys(mid for _, mid in rows))
    latest = inbound[-1] if inbound else (chain[-1] if chain else "")
    return latest, chain


def outbox_in_use() -> bool:
    """Whether outbound mail is being kept in the built-in outbox now (no EMAIL_HOST), rather than sent."""
    return settings.EMAIL_BACKEND == "civicdesk.mail.outbox.OutboxBackend"


def may_read_outbox(user: Any) -> bool:
    """Administrators and supervisors read the outbox; agents do not."""
    profile = staff_profile(user)
    return is_admin(user) or bool(profile and profile.role == StaffRole.SUPERVISOR)


def readable_outbox(user: Any) -> QuerySet[CapturedEmail]:
    """Captured email this user may read, newest first.

    Mail about a case: administrators see all of it, supervisors what concerns cases they can see. Mail about no
    case (a staff password reset carries a sign-in link) only superusers see.
    """
    mail = CapturedEmail.objects.select_related("case").order_by("-captured_at", "-id")
    if not may_read_outbox(user):
        return mail.none()
    if getattr(user, "is_superuser", False):
        return mail
    if is_admin(user):
        return mail.filter(case__isnull=False)
    return mail.filter(case__in=visible_cases(user).values("pk"))
