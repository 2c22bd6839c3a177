"""A staff reply before it is sent: where it goes, in plain words, and a preview made by the code that sends it."""

from dataclasses import dataclass, field

import phonenumbers
from django.utils.translation import gettext, ngettext

from civicdesk.cases.followers import subscribed_follower_count
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import OutboundMessage
from civicdesk.contacts.models import Identity
from civicdesk.conversations.capabilities import capabilities
from civicdesk.conversations.outbound import SOCIAL_CHANNELS, outbound_for
from civicdesk.conversations.public_replies import is_public, public_sentence
from civicdesk.conversations.rendering import ReplyKind, render
from civicdesk.conversations.replies import ReplyTarget, carries_files, reply_target, target_refusal
from civicdesk.mail.outbound import from_header, safe_header_text

MAX_FILES = 10


@dataclass(frozen=True)
class Destination:
    """Where a reply goes and who sees it, as staff read it next to the send button."""

    target: ReplyTarget
    public: bool
    sentence: str  # "Emailed to Rosa Tester <rosa@example.com>", "Public update on the status page"
    carries_files: bool  # files can go with it (a private reply on a channel whose adapter sends them)
    max_length: int | None
    refused: str = ""  # why a reply there is refused (the number opted out of that sender); "" when it may go
    network_public: bool = False  # the network shows it to everyone (it answers a public post or comment)


@dataclass(frozen=True)
class Preview:
    """Exactly what the resident receives: the rendered subject and text, and for email the From and To lines."""

    destination: Destination
    text: str
    subject: str = ""
    sender: str = ""  # the From line of an email
    to: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)  # (name, size) of the files that go with it
    shortened: bool = False  # the text was cut to the channel's length limit


def display_address(channel: str, value: str, case: Case | None = None) -> str:
    """A resident's address as staff read it: a phone number spaced the international way (+1 215-555-0100); on a
    social network the handle the resident shows (their identity's display), never the platform's numeric id or
    DID (a Meta address is "PAGE:PSID"; its identity is the PSID), else the contact's name."""
    if channel in (Channel.SMS, Channel.PHONE) and value.startswith("+"):
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException:
            return value
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if channel not in SOCIAL_CHANNELS or case is None or case.contact_id is None or not value:
        return value
    values = {value, value.rsplit(":", 1)[-1]}
    shown = (Identity.objects.filter(contact_id=case.contact_id, value__in=values).exclude(display="")
             .values_list("display", flat=True).first())
    return shown or (case.contact.display_name if case.contact is not None else "") or value


def _private_sentence(case: Case, target: ReplyTarget) -> str:
    address = display_address(target.channel, target.to, case)
    if target.channel == Channel.EMAIL and address:
        return gettext("Emailed to %(who)s") % {"who": _resident(case, target)}
    if target.channel == Channel.SMS:
        return gettext("SMS to %(number)s") % {"number": address}
    if target.channel == Channel.CHAT:
        return gettext("Shown at once in the live chat the resident has open")
    if capabilities(target.channel).publishes:
        return gettext("Shown only to the resident, on their own status page")
    channel = Channel(target.channel).label if target.channel in Channel.values else target.channel
    if address:
        return gettext("Sent by %(channel)s to %(address)s") % {"channel": channel, "address": address}
    return gettext("Sent by %(channel)s") % {"channel": channel}


def _public_sentence(case: Case, target: ReplyTarget) -> str:
    followers = subscribed_follower_count(case)
    values = {"n": followers, "who": _resident(case, target)}
    if target.channel == Channel.EMAIL and target.to:
        if followers:
            return ngettext("Public update on the status page, the map and Open311; the resident and every follower "
                            "get it by email (%(who)s and %(n)s follower)",
                            "Public update on the status page, the map and Open311; the resident and every follower "
                            "get it by email (%(who)s and %(n)s followers)", followers) % values
        return gettext("Public update on the status page, the map and Open311; the resident and every follower get it "
                       "by email (%(who)s; nobody follows the case yet)") % values
    if target.to and not capabilities(target.channel).publishes:
        values["how"] = public_sentence(target) if is_public(target) else _private_sentence(case, target)
        return ngettext("Public update on the status page, the map and Open311. %(how)s; every follower gets it "
                        "by email (%(n)s follower)", "Public update on the status page, the map and Open311. %(how)s; "
                        "every follower gets it by email (%(n)s followers)", followers) % values
    if followers:
        return ngettext("Public update on the status page, the map and Open311; every follower gets it by email "
                        "(%(n)s follower)", "Public update on the status page, the map and Open311; every follower "
                        "gets it by email (%(n)s followers)", followers) % values
    return gettext("Public update on the status page, the map and Open311")


def _resident(case: Case, target: ReplyTarget) -> str:
    name = case.contact.display_name if case.contact_id and case.contact else ""
    address = display_address(target.channel, target.to, case)
    return f"{name} <{address}>" if name else address


def destination(case: Case, *, public: bool = False, identity: Identity | None = None) -> Destination:
    """Where a reply with these choices goes; raises ValueError for an identity that is not the resident's."""
    target = reply_target(case, identity)
    return _destination(case, target, public=public, refused=target_refusal(target))


def destinations(case: Case, identity: Identity | None = None) -> tuple[Destination, Destination]:
    """destination() of a private reply and of a public update, reading the target and its opt-outs once."""
    target = reply_target(case, identity)
    refused = target_refusal(target)
    return (_destination(case, target, public=False, refused=refused),
            _destination(case, target, public=True, refused=refused))


def _destination(case: Case, target: ReplyTarget, *, public: bool, refused: str) -> Destination:
    caps = capabilities(target.channel)
    network_public = is_public(target)
    if public:
        sentence = _public_sentence(case, target)
    else:
        sentence = public_sentence(target) if network_public else _private_sentence(case, target)
    return Destination(target=target, public=public, sentence=sentence, max_length=caps.max_length,
                       carries_files=carries_files(target, public=public), refused=refused,
                       network_public=network_public)


def preview(case: Case, *, text: str, public: bool = False, identity: Identity | None = None,
            files: list[tuple[str, int]] | None = None) -> Preview:
    """What the resident would receive, rendered by the templates and the outbound builder that delivery uses."""
    where = destination(case, public=public, identity=identity)
    rendered = render(where.target.channel, case, ReplyKind.REPLY, text=text)
    draft = Message(case=case, direction=Direction.OUTBOUND, channel=where.target.channel, is_public=public,
                    subject=rendered.subject, body_text=rendered.text, visible_text=rendered.text,
                    recipient=where.target.to, contact=case.contact)
    outbound: OutboundMessage = outbound_for(draft)
    sender = from_header(outbound) if where.target.channel == Channel.EMAIL else ""
    subject = safe_header_text(outbound.subject) if outbound.subject else ""
    return Preview(destination=where, text=outbound.text, subject=subject, sender=sender,
                   to=display_address(where.target.channel, outbound.to, case),
                   files=list(files or []) if where.carries_files else [],
                   shortened=len(outbound.text) < len(text.strip()) and outbound.text.endswith("…"))
