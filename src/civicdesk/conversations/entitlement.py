"""Who may write into a case by naming it: its contact, its followers and staff; a case number is no credential."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from civicdesk.cases.models import Case
from civicdesk.channels.events import InboundMessage
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Contact, Identity, IdentityKind

MENTION_TAG = "mentions-another-case"


def sender_identities(message: InboundMessage) -> list[tuple[str, str]]:
    """The normalized (kind, value) pairs the message came from; unusable ones are left out."""
    found = []
    for identity in [message.sender, *message.extra_identities]:
        if identity is None or not identity.value:
            continue
        try:
            found.append((identity.kind, normalize_identity(identity.kind, identity.value)))
        except InvalidIdentity:
            continue
    return found


def _with_survivors(contact_ids: set[int]) -> set[int]:
    """The contacts and every contact they were merged into (merges move identities, not followers)."""
    found, frontier = set(contact_ids), set(contact_ids)
    while frontier:
        frontier = set(Contact.objects.filter(pk__in=frontier, merged_into__isnull=False)
                       .values_list("merged_into_id", flat=True)) - found
        found |= frontier
    return found


def _is_staff_email(addresses: list[str]) -> bool:
    if not addresses:
        return False
    match = Q()
    for address in addresses:
        match |= Q(email__iexact=address)
    users = get_user_model().objects.filter(match, is_active=True)
    return users.filter(Q(is_staff=True) | Q(staff__isnull=False)).exists()


def may_thread(case: Case, message: InboundMessage) -> bool:
    """True when the sender is one of the case contact's identities, a follower's, or a staff user's email.

    An explicit case_number comes from an authenticated API client updating its own request (Open311
    servicerequestupdates) and is trusted; a number in a subject or a reply to our Message-ID is not.
    """
    if message.case_number:
        return True
    identities = sender_identities(message)
    if not identities:
        return False
    match = Q()
    for kind, value in identities:
        match |= Q(kind=kind, value=value)
    senders = _with_survivors(set(Identity.objects.filter(match).values_list("contact_id", flat=True)))
    people = set(case.followers.values_list("pk", flat=True))
    if case.contact_id:
        people.add(case.contact_id)
    if senders & _with_survivors(people):
        return True
    return _is_staff_email([value for kind, value in identities if kind == IdentityKind.EMAIL])
