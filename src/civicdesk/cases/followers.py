"""Followers of a case: each public update goes to them by email, with a signed link that unsubscribes them."""

from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.cases.models import Case, DeliveryStatus, Direction, FollowerOptOut, Message
from civicdesk.channels.models import Channel
from civicdesk.channels.queues import delivery_queue
from civicdesk.contacts.languages import writing_to
from civicdesk.contacts.models import Contact, Identity, IdentityKind
from civicdesk.core.jobs import DELIVER_MESSAGE, enqueue_on_commit

UNSUBSCRIBE_SALT = "civicdesk.cases.unsubscribe"


def status_url(case: Case) -> str:
    """The public status page of a case, by its random public id (never the sequential number)."""
    return f"{settings.SITE_URL.rstrip('/')}/status/{case.public_id}/"


def unsubscribe_token(case: Case, contact: Contact) -> str:
    """A signed (not expiring) token naming one follower of one case."""
    return signing.dumps({"c": case.public_id, "f": contact.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[str, int] | None:
    """(case public id, contact id) from a token, or None when it is forged, damaged or not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("f"), int):
        return None
    return data["c"], data["f"]


def unsubscribe_url(case: Case, contact: Contact) -> str:
    path = reverse("portal:unsubscribe", kwargs={"token": unsubscribe_token(case, contact)})
    return settings.SITE_URL.rstrip("/") + path


def subscribed_followers(case: Case) -> list[Contact]:
    """Followers with an email address who did not unsubscribe; the reporter is not one (they get the update)."""
    opted_out = FollowerOptOut.objects.filter(case=case).values("contact_id")
    followers = (case.followers.exclude(pk__in=opted_out).exclude(pk=case.contact_id or 0)
                 .prefetch_related("identities").order_by("pk"))
    return [f for f in followers if f.email]


def subscribed_follower_count(case: Case) -> int:
    """How many followers a public update would be emailed to (subscribed_followers), in one query."""
    opted_out = FollowerOptOut.objects.filter(case=case).values("contact_id")
    has_email = Identity.objects.filter(contact=OuterRef("pk"), kind=IdentityKind.EMAIL)
    # EXISTS, not a join: the plan starts from this case's followers, not from every email identity
    return (case.followers.exclude(pk__in=opted_out).exclude(pk=case.contact_id or 0)
            .filter(Exists(has_email)).count())


def follower_text(case: Case, update: Message, contact: Contact) -> str:

    return gettext(
        "{agency} posted an update on request {number}, which you follow:\n\n{text}\n\n"
        "See the request: {status_url}\n"
        "Stop receiving updates on this request: {unsubscribe_url}"
    ).format(agency=case.agency.translated.name, number=case.number, text=update.visible_text or update.body_text,
             status_url=status_url(case), unsubscribe_url=unsubscribe_url(case, contact))


def send_to_followers(case: Case, update: Message) -> list[Message]:
    """One outbound email per follower for a public update; the caller holds the transaction.

    Each copy is its own Message (update_of points at the update), so its delivery state and failures show on the
    case; copies are not public themselves and never carry the reporter's private replies.
    """
    copies = []
    for contact in subscribed_followers(case):
        with writing_to(contact):  # each follower reads it in the language they used with us
            subject = gettext("[{number}] Update on a request you follow").format(number=case.number)
            text = follower_text(case, update, contact)
        copies.append(Message.objects.create(
            case=case, direction=Direction.OUTBOUND, channel=Channel.EMAIL, is_public=False, update_of=update,
            is_automatic=False, author=update.author, contact=contact,
            subject=subject, body_text=text, visible_text=update.visible_text,
            recipient=contact.email, email_message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN),
            delivery_status=DeliveryStatus.QUEUED, created_at=timezone.now(),
        ))
    for copy in copies:
        enqueue_on_commit(DELIVER_MESSAGE, copy.pk, queue_name=delivery_queue(copy.channel))
    return copies


@transaction.atomic
def unsubscribe(case: Case, contact: Contact) -> bool:
    """Stop public updates to this follower on this case; True the first time."""
    _, created = FollowerOptOut.objects.get_or_create(case=case, contact=contact, defaults={"at": timezone.now()})
    return created  # the FollowerOptOut row (with its time) is the record


def resubscribe(case: Case, contact: Contact) -> Any:
    """A follower who says "this is my problem too" again wants the updates again; the caller holds the transaction."""
    return FollowerOptOut.objects.filter(case=case, contact=contact).delete()
