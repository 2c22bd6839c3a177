"""Keyword texts on the conversation layer: STOP, START and HELP (any SMS provider) answered and recorded, no case.

A keyword text opens no case and is not stored as a message: it changes the sender's consent registry, is audited
(on the conversation's case too, so that case's timeline says what happened) and gets one automatic answer, an
outbound message delivered like any other (retries, failures shown).
"""

from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.actions import add_outbound_message
from civicdesk.cases.models import Case, DeliveryStatus, Direction, Message
from civicdesk.channels.events import InboundMessage
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.queues import delivery_queue
from civicdesk.contacts.actions import resolve_contact, set_opt_out
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity
from civicdesk.conversations.consent import account_for, is_opted_out, set_consent
from civicdesk.conversations.inbound_hooks import opted_out
from civicdesk.conversations.keywords import Keyword, KeywordAction, keyword_of
from civicdesk.conversations.models import ConsentSource, HelpText, KeywordReply
from civicdesk.conversations.threading import find_conversation
from civicdesk.core.jobs import DELIVER_MESSAGE, enqueue_on_commit


def consent_channel(channel: str) -> bool:
    return channel in settings.CONSENT_KEYWORD_CHANNELS


def keyword_in(event: InboundMessage) -> Keyword | None:
    """The keyword the message is, on a channel with keywords. START, YES and UNSTOP are keywords only from a
    number that opted out of that sender: otherwise "Yes" is an answer to an agent's question, kept on the case."""
    if not consent_channel(event.channel) or event.sender is None or event.attachments:
        return None
    keyword = keyword_of(event.visible_text or event.body_text)
    if keyword is None or keyword.action != KeywordAction.OPT_IN:
        return keyword
    account = account_for(event.channel, event.account_id, event.recipient)
    identity = _known_identity(event)
    return keyword if is_opted_out(identity, account.pk if account else None) else None


def _known_identity(event: InboundMessage) -> Identity | None:
    assert event.sender is not None
    try:
        value = normalize_identity(event.sender.kind, event.sender.value)
    except InvalidIdentity:
        return None
    return Identity.objects.select_related("contact").filter(kind=event.sender.kind, value=value).first()


def apply_keyword(event: InboundMessage, keyword: Keyword) -> Message | bool:
    """Act on a keyword text inside the pipeline's transaction: the change, its audit, and its one answer (the
    answer message; True when nothing is sent: a repeated STOP, or HELP from a number that opted out)."""
    assert event.sender is not None
    identity = _known_identity(event)
    if identity is None:
        resolve_contact([(event.sender.kind, event.sender.value)], display_name=event.sender.display_name)
        identity = _known_identity(event)
    assert identity is not None  # resolve_contact made it (or raised InvalidIdentity: the payload is quarantined)
    account = account_for(event.channel, event.account_id, event.recipient)
    conversation = find_conversation(event)
    case = _survivor(conversation.case) if conversation is not None and conversation.case is not None else None
    changed = True
    if keyword.action == KeywordAction.OPT_OUT:
        if account is None:  # no account known: the channel-wide flag, as a provider's opt-out
            changed = identity.opted_out_at is None
            set_opt_out(identity.kind, identity.value, opted_out=True)
        else:
            changed = set_consent(identity, account, opted_out=True, source=ConsentSource.KEYWORD,
                                  keyword=keyword.word, provider_message_id=event.provider_message_id, case=case)
    elif keyword.action == KeywordAction.OPT_IN:
        if identity.opted_out_at is not None:
            set_opt_out(identity.kind, identity.value, opted_out=False)
        if account is not None:
            set_consent(identity, account, opted_out=False, source=ConsentSource.KEYWORD, keyword=keyword.word,
                        provider_message_id=event.provider_message_id, case=case)
    elif is_opted_out(identity, account.pk if account else None):
        changed = False  # HELP from a number that opted out: nothing may go to it
    if keyword.action == KeywordAction.OPT_OUT:  # every list of that number ends too (crisis alerts), even on a repeat
        opted_out(identity.kind, identity.value, account.pk if account else None)
    if not changed or keyword.action == KeywordAction.HELP:
        record(AuditAction.KEYWORD_TEXT, case=case, contact=identity.contact, actor_label=event.channel,
               after={"identity": identity.pk, "keyword": keyword.word, "answered": changed,
                      "sender": account.address if account else ""})
    if not changed:
        return True
    text = answer_text(keyword, account.agency if account else (case.agency if case else None))
    return send_answer(event, identity, account, case, keyword, text)


def _survivor(case: Case) -> Case:
    while case.merged_into_id:
        case = Case.objects.get(pk=case.merged_into_id)
    return case


def send_answer(event: InboundMessage, identity: Identity, account: ChannelAccount | None, case: Case | None,
                keyword: Keyword, text: str) -> Message:
    """The automatic answer, queued for delivery on commit: on the conversation's case when there is one (its
    timeline shows it), else on no case."""
    if case is not None:
        message = add_outbound_message(case, channel=event.channel, text=text, recipient=identity.value,
                                       automatic=True)
    else:
        message = Message.objects.create(
            case=None, direction=Direction.OUTBOUND, channel=event.channel, is_automatic=True,
            contact=identity.contact, body_text=text, visible_text=text, recipient=identity.value,
            delivery_status=DeliveryStatus.QUEUED, created_at=timezone.now())
        enqueue_on_commit(DELIVER_MESSAGE, message.pk, queue_name=delivery_queue(event.channel, True))
    KeywordReply.objects.create(message=message, account=account, keyword=keyword.word,
                                confirms_opt_out=keyword.action == KeywordAction.OPT_OUT)
    return message


def answer_text(keyword: Keyword, agency: Agency | None) -> str:
    """The answer to a keyword, in the keyword's language (BASTA and AYUDA answer in Spanish)."""
    name = agency.name if agency is not None else settings.SITE_NAME
    with translation.override(keyword.language):
        if keyword.action == KeywordAction.OPT_OUT:
            return gettext("%(agency)s: you are unsubscribed and will get no more texts from this number. Reply "
                           "START to subscribe again.") % {"agency": name}
        if keyword.action == KeywordAction.OPT_IN:
            return gettext("%(agency)s: you are subscribed again to texts from this number. Reply STOP to "
                           "unsubscribe, HELP for help.") % {"agency": name}
        return help_text(agency, keyword.language, name)


def help_text(agency: Agency | None, language: str, name: str) -> str:
    """The agency's own help text in that language (English when it has no Spanish one), else the default."""
    custom: Any = HelpText.objects.filter(agency=agency).first() if agency is not None else None
    if custom is not None:
        chosen = custom.text_es if language == "es" and custom.text_es.strip() else custom.text_en
        if chosen.strip():
            return str(chosen).strip()
    phone = agency.phone if agency is not None else ""
    email = agency.email if agency is not None else ""
    values = {"agency": name, "phone": phone, "email": email}
    if phone and email:
        return gettext("%(agency)s: text us to report a problem or ask about a request. Call %(phone)s or write "
                       "to %(email)s for help. Reply STOP to unsubscribe.") % values
    if phone:
        return gettext("%(agency)s: text us to report a problem or ask about a request. Call %(phone)s for help. "
                       "Reply STOP to unsubscribe.") % values
    if email:
        return gettext("%(agency)s: text us to report a problem or ask about a request. Write to %(email)s for "
                       "help. Reply STOP to unsubscribe.") % values
    return gettext("%(agency)s: text us to report a problem or ask about a request. Reply STOP to "
                   "unsubscribe.") % values
