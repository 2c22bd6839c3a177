"""Who may text whom: the per-sender consent registry (a STOP to one of our numbers opts out of that number only).

The only code that writes SenderConsent and ConsentChange; every change is audited on the contact (and on the case
it happened on, so it shows on that case's timeline). Identity.opted_out_at keeps its older meaning: a channel-wide
opt-out a provider reported without naming our account; a send is refused under either.
"""

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, Message
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.models import (
    ConsentChange,
    Conversation,
    HelpText,
    KeywordReply,
    SenderConsent,
)

# The identity kind a message on each channel goes to (replies.CHANNEL_OF_IDENTITY the other way round).
KIND_OF_CHANNEL: dict[str, str] = {
    Channel.EMAIL: IdentityKind.EMAIL, Channel.SMS: IdentityKind.PHONE, Channel.X: IdentityKind.X,
    Channel.FACEBOOK: IdentityKind.FACEBOOK, Channel.INSTAGRAM: IdentityKind.INSTAGRAM,
    Channel.MASTODON: IdentityKind.MASTODON,
    Channel.BLUESKY: IdentityKind.BLUESKY, Channel.YOUTUBE: IdentityKind.YOUTUBE,
}


class OptedOut(ValueError):
    """A reply to a number that opted out of the sender: refused before anything is queued."""


def account_for(channel: str, account_id: int | None, recipient: str) -> ChannelAccount | None:
    """The account a message reached: the one the entry point named, else the one with the number it was sent to."""
    if account_id:
        return ChannelAccount.objects.filter(pk=account_id).select_related("agency").first()
    if not recipient:
        return None
    return (ChannelAccount.objects.filter(channel=channel, address=recipient).select_related("agency")
            .order_by("pk").first())


def consent_of(identity: Identity | None, account_id: int | None) -> SenderConsent | None:
    if identity is None or account_id is None:
        return None
    return SenderConsent.objects.filter(identity=identity, account_id=account_id).first()


def is_opted_out(identity: Identity | None, account_id: int | None) -> bool:
    """True when the number opted out of that sender, or of the whole channel (Identity.opted_out_at)."""
    if identity is None:
        return False
    if identity.opted_out_at is not None:
        return True
    found = consent_of(identity, account_id)
    return found is not None and found.opted_out_at is not None


def opted_out_senders(contact_id: int | None) -> list[SenderConsent]:
    """The contact's numbers that opted out, each with the sender they stopped (the case sidebar shows them)."""
    if contact_id is None:
        return []
    return list(SenderConsent.objects.filter(identity__contact_id=contact_id, opted_out_at__isnull=False)
                .select_related("identity", "account").order_by("identity__value", "account__address"))


def _identity(kind: str, raw: str, *, with_stops: bool = False) -> Identity | None:
    """The stored identity; `with_stops` annotates has_stops (whether any sender's opt-out names it) in the same
    query, so a send to a resident who never opted out reads one row."""
    try:
        value = normalize_identity(kind, raw)
    except InvalidIdentity:
        return None
    found = Identity.objects.filter(kind=kind, value=value)
    if with_stops:
        found = found.annotate(has_stops=Exists(SenderConsent.objects.filter(identity=OuterRef("pk"),
                                                                             opted_out_at__isnull=False)))
    return found.first()


def sender_account_id(message: Message, identity: Identity | None = None) -> int | None:
    """The account an outbound message goes out from: the one set for it (automatic consent texts), else the
    account of the case's conversation with its recipient, else of that recipient's latest conversation."""
    if message.pk:
        fixed = KeywordReply.objects.filter(message_id=message.pk).values_list("account_id", flat=True).first()
        if fixed:
            return fixed
    kind = KIND_OF_CHANNEL.get(message.channel)
    if identity is None and kind and message.recipient:
        identity = _identity(kind, message.recipient)
    if identity is None:
        return None
    conversations = Conversation.objects.filter(channel=message.channel, identity=identity, account__isnull=False)
    ordered = conversations.order_by("-last_inbound_at", "-id")
    if message.case_id:
        on_case = ordered.filter(case_id=message.case_id).values_list("account_id", flat=True).first()
        if on_case:
            return on_case
    return ordered.values_list("account_id", flat=True).first()


def _channel_wide() -> str:
    return gettext("The resident opted out of messages on this channel (for example by texting STOP); reply on "
                   "another of their channels.")


def _stopped(identity: Identity, stopped: SenderConsent) -> str:
    assert stopped.opted_out_at is not None
    return gettext("%(number)s opted out of texts from %(sender)s (%(keyword)s on %(date)s); reply on another of "
                   "their channels, or wait until they text START.") % {
        "number": identity.value, "sender": stopped.account.address or str(stopped.account),
        "keyword": stopped.keyword or gettext("confirmed by staff"),
        "date": timezone.localtime(stopped.opted_out_at).date().isoformat()}


def _stopped_senders(identity: Identity) -> dict[int, SenderConsent]:
    found = SenderConsent.objects.filter(identity=identity, opted_out_at__isnull=False).select_related("account")
    return {consent.account_id: consent for consent in found}


def refusal(channel: str, recipient: str, account_id: int | None) -> str:
    """Why a message to `recipient` from our account `account_id` must not be sent ("" when it may be): the
    channel-wide opt-out, or an opt-out of that sender (of any of our senders, when the sender is unknown)."""
    kind = KIND_OF_CHANNEL.get(channel)
    identity = _identity(kind, recipient) if kind and recipient else None
    if identity is None:
        return ""
    if identity.opted_out_at is not None:
        return _channel_wide()
    stopped = _stopped_senders(identity)
    found = stopped.get(account_id) if account_id is not None else next(iter(stopped.values()), None)
    return _stopped(identity, found) if found is not None else ""


def message_refusal(message: Message) -> str:
    """refusal() for an outbound message row, which deliver_message asks before any provider call. Cheap for the
    many messages to residents who never opted out: the identity, then its opt-outs, and only then the sender."""
    kind = KIND_OF_CHANNEL.get(message.channel)
    identity = _identity(kind, message.recipient, with_stops=True) if kind and message.recipient else None
    if identity is None or (identity.opted_out_at is None and not getattr(identity, "has_stops", True)):
        return ""
    stopped = _stopped_senders(identity) if identity.opted_out_at is None else {}
    if identity.opted_out_at is None and not stopped:
        return ""
    if KeywordReply.objects.filter(message_id=message.pk, confirms_opt_out=True).exists():
        return ""  # the one confirmation of a STOP goes to the number that just opted out
    if identity.opted_out_at is not None:
        return _channel_wide()
    account_id = sender_account_id(message, identity)
    found = stopped.get(account_id) if account_id is not None else next(iter(stopped.values()))
    return _stopped(identity, found) if found is not None else ""


@transaction.atomic
def set_consent(identity: Identity, account: ChannelAccount, *, opted_out: bool, source: str,
                keyword: str = "", provider_message_id: str = "", actor: Any = None,
                case: Case | None = None) -> bool:
    """Opt the number out of (or back in to) texts from `account`; False when it already was so (nothing written)."""
    now = timezone.now()
    consent, _created = SenderConsent.objects.select_for_update().get_or_create(
        identity=identity, account=account, defaults={"changed_at": now})
    if (consent.opted_out_at is not None) == opted_out:
        return False
    consent.opted_out_at = now if opted_out else None
    consent.changed_at, consent.keyword, consent.source = now, keyword[:20], source
    consent.save()
    ConsentChange.objects.create(identity=identity, account=account, opted_out=opted_out, source=source,
                                 keyword=keyword[:20], provider_message_id=provider_message_id[:300],
                                 actor=actor if getattr(actor, "is_authenticated", False) else None, case=case,
                                 at=now)
    record(AuditAction.OPTED_OUT if opted_out else AuditAction.OPTED_IN, case=case, contact=identity.contact,
           actor=actor, actor_label="" if actor is not None else account.channel,
           after={"identity": identity.pk, "kind": identity.kind, "account": account.pk,
                  "sender": account.address, "keyword": keyword[:20], "source": source})
    return True



@transaction.atomic
def set_help_text(agency: Agency, *, text_en: str, text_es: str, actor: Any) -> HelpText:
    """What HELP (INFO) and AYUDA answer on the agency's numbers; empty texts bring back the default. Audited."""
    found, _created = HelpText.objects.select_for_update().get_or_create(agency=agency)
    before = {"agency": agency.slug, "sms_help_en": found.text_en, "sms_help_es": found.text_es}
    found.text_en, found.text_es = text_en.strip()[:320], text_es.strip()[:320]
    found.save()
    record(AuditAction.AGENCY_CHANGED, actor=actor, before=before,
           after={"agency": agency.slug, "sms_help_en": found.text_en, "sms_help_es": found.text_es})
    return found
