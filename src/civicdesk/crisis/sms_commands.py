"""Alerts by text: JOIN (optionally with an area) subscribes, YES confirms a web subscription, STOP ends them all.

Registered with the conversation layer (conversations.inbound_hooks, COMMAND stage) in CrisisConfig.ready(): a
JOIN or a YES that confirms a pending subscription is answered here and opens no case; STOP stays the consent
registry's keyword (conversations.keyword_texts), which then tells us to end the number's subscriptions.
"""

from collections.abc import Callable
from typing import Any

from civicdesk.channels.events import InboundMessage
from civicdesk.contacts.actions import resolve_contact, set_opt_out
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.consent import account_for, is_opted_out, set_consent
from civicdesk.conversations.inbound_hooks import Taken
from civicdesk.conversations.keyword_texts import consent_channel, send_answer
from civicdesk.conversations.keywords import Keyword, KeywordAction, normalize
from civicdesk.conversations.models import ConsentSource
from civicdesk.crisis import queries, subscriptions, texts
from civicdesk.crisis.models import AlertChannel, SubscriptionSource
from civicdesk.gis.models import Area

JOIN_WORDS = {"JOIN": "en", "ALERTS": "en", "UNIRSE": "es", "ALERTAS": "es"}
YES_WORDS = {"YES": "en", "Y": "en", "SI": "es", "SÍ": "es"}
MAX_COMMAND = 60


def _phone(event: InboundMessage) -> str:
    assert event.sender is not None
    try:
        return normalize_identity(IdentityKind.PHONE, event.sender.value)
    except InvalidIdentity:
        return ""


def claim_text(event: InboundMessage) -> Taken | None:
    """JOIN [area], or YES from a number with a subscription waiting for it, as a command; None otherwise."""
    effect = _command(event) if consent_channel(event.channel) and not event.attachments else None
    return Taken(event, effect=effect) if effect is not None else None


def _command(event: InboundMessage) -> Callable[[], Any] | None:
    text = event.visible_text or event.body_text or ""
    if event.sender is None or event.sender.kind != IdentityKind.PHONE or len(text) > MAX_COMMAND:
        return None
    words = normalize(text).split(None, 1)
    if not words:
        return None
    first, rest = words[0], (words[1] if len(words) > 1 else "")
    if first in JOIN_WORDS:
        return lambda: join(event, rest, JOIN_WORDS[first])
    if first in YES_WORDS and not rest:
        phone = _phone(event)
        if phone and subscriptions.pending_sms(phone):
            return lambda: confirm_by_text(event, phone)
    return None


def find_area(text: str) -> Area | None:
    """The subscribable area named by `text`: its name ("Ward 3"), its code, or its number alone ("3")."""
    wanted = text.strip().lower()
    for area in queries.subscribable_areas():
        names = {area.name.lower(), area.code.lower(), area.name.lower().split()[-1]}
        if wanted in names:
            return area
    return None


def _identity(event: InboundMessage) -> Identity:
    assert event.sender is not None
    value = normalize_identity(event.sender.kind, event.sender.value)
    found = Identity.objects.select_related("contact").filter(kind=event.sender.kind, value=value).first()
    if found is None:
        resolve_contact([(event.sender.kind, event.sender.value)], display_name=event.sender.display_name)
        found = Identity.objects.select_related("contact").get(kind=event.sender.kind, value=value)
    return found


def _opt_in(identity: Identity, account: Any, word: str, event: InboundMessage) -> None:
    """Texting JOIN or YES asks for our texts: a number that had opted out of this sender is back in."""
    if identity.opted_out_at is not None:
        set_opt_out(identity.kind, identity.value, opted_out=False)
    if account is not None and is_opted_out(identity, account.pk):
        set_consent(identity, account, opted_out=False, source=ConsentSource.KEYWORD, keyword=word,
                    provider_message_id=event.provider_message_id)


def join(event: InboundMessage, rest: str, language: str) -> Any:
    account = account_for(event.channel, event.account_id, event.recipient)
    identity = _identity(event)
    area = find_area(rest) if rest.strip() else None
    word = "JOIN" if language == "en" else "UNIRSE"
    keyword = Keyword(word, KeywordAction.OPT_IN, language)
    if rest.strip() and area is None:
        names = [a.name for a in queries.subscribable_areas()]
        return send_answer(event, identity, account, None, keyword, texts.unknown_area_sms(language, names))
    _opt_in(identity, account, word, event)
    subscription, _sent = subscriptions.subscribe(
        AlertChannel.SMS, identity.value, area=area, language=language, source=SubscriptionSource.SMS,
        account_id=account.pk if account else None, confirmed=True)
    return send_answer(event, identity, account, None, keyword, texts.joined_sms(subscription))


def confirm_by_text(event: InboundMessage, phone: str) -> Any:
    account = account_for(event.channel, event.account_id, event.recipient)
    identity = _identity(event)
    confirmed = [s for s in subscriptions.pending_sms(phone) if subscriptions.confirm(s)]
    if not confirmed:
        return None
    _opt_in(identity, account, "YES", event)
    first = confirmed[0]
    keyword = Keyword("YES", KeywordAction.OPT_IN, first.language)
    return send_answer(event, identity, account, None, keyword, texts.joined_sms(first))


def end_sms_subscriptions(kind: str, value: str, account_id: int | None) -> None:
    """STOP (to any of our numbers, or reported by the provider): every alert subscription of the number ends."""
    if kind != IdentityKind.PHONE:
        return
    subscriptions.end_all(AlertChannel.SMS, value)

