"""Replies the network shows to everyone (an answer under a public post or comment): saying so, refusing personal
data in them, and "continue privately", a short public invitation to talk in private in the network's own way.

The per-network wording is the one table PRIVATE_WAYS; the detector is conversations.public_safety."""

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel
from civicdesk.contacts.languages import writing_to
from civicdesk.contacts.models import ContactNote, Identity, IdentityKind
from civicdesk.conversations import replies
from civicdesk.conversations.public_safety import Finding, FindingKind, PrivateDetails, find_personal_data
from civicdesk.conversations.replies import ReplyTarget
from civicdesk.mail.queries import mailbox_for_agency
from civicdesk.places.models import AddressPoint

NOTES_READ = 50  # the latest private notes of a case (and of its contact) whose words may not go public
STREET_CANDIDATES = 10  # "number + word" pairs of a draft looked up among the city's addresses, in one query


@dataclass(frozen=True)
class PrivateWay:
    """How a network's residents continue in private: its name for it (staff read it) and the public invitation
    (the resident reads it, in their language; %(number)s is the case, %(contact)s our address)."""

    name: Promise
    invitation: Promise
    direct_messages: bool  # the network has private messages we can receive


PRIVATE_WAYS: dict[str, PrivateWay] = {
    Channel.MASTODON: PrivateWay(
        _("a direct message on Mastodon"),
        _("Thank you. To keep your details private, please send us a direct message (a post visible to mentioned "
          "people only) about request %(number)s."), True),
    Channel.X: PrivateWay(
        _("a Direct Message on X"),
        _("Thank you. To keep your details private, please send us a Direct Message about request %(number)s."),
        True),
    Channel.BLUESKY: PrivateWay(
        _("a chat message on Bluesky"),
        _("Thank you. To keep your details private, please send us a chat message on Bluesky about request "
          "%(number)s."), True),
    Channel.FACEBOOK: PrivateWay(
        _("a message on Messenger"),
        _("Thank you. To keep your details private, please send us a message on Messenger about request "
          "%(number)s."), True),
    Channel.YOUTUBE: PrivateWay(
        _("contact by email or the website (YouTube has no private messages)"),
        _("Thank you. YouTube has no private messages, so please contact us at %(contact)s about request "
          "%(number)s."), False),
}


def is_public(target: ReplyTarget) -> bool:
    """Whether the network shows this reply to everyone: it answers a public post or comment."""
    return target.conversation is not None and target.conversation.visibility == Visibility.PUBLIC


def public_sentence(target: ReplyTarget) -> str:
    """What staff read next to the send button: "Public reply on Mastodon: anyone can see it"."""
    network = Channel(target.channel).label if target.channel in Channel.values else target.channel
    return gettext("Public reply on %(network)s: anyone can see it") % {"network": network}


def private_details(case: Case) -> PrivateDetails:
    """The case's details not for the public: the resident's name and email addresses and numbers, the location
    they gave (the public pages show only an approximate one), and the text of private notes on the case and on
    the contact. Two queries (one without a contact)."""
    values: list[str] = [case.address] if case.address else []
    notes = list(Message.objects.filter(case=case, direction=Direction.NOTE).order_by("-created_at")
                 .values_list("visible_text", flat=True)[:NOTES_READ])
    if case.contact_id:
        contact = case.contact
        if contact is not None and contact.display_name:
            values.append(contact.display_name)
        rows = (Identity.objects.filter(contact_id=case.contact_id, kind__in=[IdentityKind.EMAIL, IdentityKind.PHONE])
                .values_list("value", flat=True))
        values += list(rows)
        notes += list(ContactNote.objects.filter(contact_id=case.contact_id).order_by("-created_at")
                      .values_list("text", flat=True)[:NOTES_READ])
    return PrivateDetails(values=tuple(v for v in values if v), notes=tuple(n for n in notes if n))


def city_streets(text: str) -> list[str]:
    """The city's own streets that a "number + word" of the draft starts (one query, at most ten pairs), so "45
    Larchwood" is an address even without "Street"."""
    pairs = re.findall(r"\b(\d{1,6}[a-zA-Z]?)\s+([^\W\d_][\w'’-]{2,})", text)[:STREET_CANDIDATES]
    if not pairs:
        return []
    query = Q()
    for number, word in pairs:
        query |= Q(number__iexact=number, street__istartswith=word)
    return sorted(set(AddressPoint.objects.filter(query).values_list("street", flat=True)[:50]))


def findings(case: Case, text: str) -> list[Finding]:
    """The personal data in a draft for a public reply on this case."""
    return find_personal_data(text, private_details(case), streets=city_streets(text))


def refusal(target: ReplyTarget, found: list[Finding]) -> str:
    """The composer's message when a public reply holds personal data: what was found, and what to do."""
    kinds = [str(FindingKind(kind).label) for kind in dict.fromkeys(f.kind for f in found)]
    network = Channel(target.channel).label if target.channel in Channel.values else target.channel
    way = PRIVATE_WAYS.get(target.channel)
    values = {"network": network, "found": ", ".join(kinds),
              "words": ", ".join(f"“{f.text}”" for f in found[:5]), "way": way.name if way else ""}
    if way is None:
        return gettext("This reply would be public on %(network)s, and it contains personal data (%(found)s: "
                       "%(words)s). Nothing was sent. Remove it from the reply.") % values
    return gettext("This reply would be public on %(network)s, and it contains personal data (%(found)s: "
                   "%(words)s). Nothing was sent. Remove it, or continue privately: a short public reply asks the "
                   "resident for %(way)s, and your text is kept as a draft.") % values


def invitation(case: Case, channel: str) -> str:
    """The public invitation to continue in private, in the resident's language."""
    way = PRIVATE_WAYS[channel]
    mailbox = mailbox_for_agency(case.agency_id)
    contact = mailbox.address if mailbox is not None else settings.SITE_URL.rstrip("/")
    with writing_to(case.contact if case.contact_id else None):
        return str(way.invitation) % {"number": case.number, "contact": contact}


@dataclass(frozen=True)
class ContinuedPrivately:
    invitation: Message  # the public reply sent
    draft: Message  # the internal note keeping the agent's text


@transaction.atomic
def continue_privately(case: Case, *, author: Any, text: str, identity: Identity | None = None) -> ContinuedPrivately:
    """Answer a public post with the network's invitation to talk in private, and keep the agent's text as an
    internal note (a draft, for staff only) to send once the resident writes in private. ValueError when the reply
    would not be public or the network has no way in PRIVATE_WAYS."""
    target = replies.reply_target(case, identity)
    if not is_public(target) or target.channel not in PRIVATE_WAYS:
        raise ValueError(gettext("Continue privately is for a public reply on a social network."))
    sent = replies.reply(case, author=author, text=invitation(case, target.channel), identity=identity)
    heading = gettext("Draft to send privately (not sent to the resident; a public reply asked them for %(way)s):") % {
        "way": PRIVATE_WAYS[target.channel].name}
    draft = case_actions.add_note(case, author=author, text=f"{heading}\n\n{text}")
    return ContinuedPrivately(invitation=sent, draft=draft)
