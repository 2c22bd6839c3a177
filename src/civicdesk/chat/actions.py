"""Writes of live chat: start, messages both ways, accept, end, block, leave a message, agents' availability.

Each action is one transaction that locks the session row first, so a session's events get their seq numbers in
commit order (the live transport relies on it, see chat/push.py), and pokes the transport on commit. Every
message is a Message row on the session's case (channel "chat"), written here directly, not through a stored
payload and a job: the chat's own ChatEvent row, unique on (session, the sender's message UUID), makes a retried
post take effect once.
"""

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases import actions as case_actions
from civicdesk.cases.events import MessageAdded, publish
from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.cases.routing import RoutingInput, choose_route
from civicdesk.channels.models import Channel
from civicdesk.chat import push
from civicdesk.chat.models import (
    AgentAvailability,
    ChatEvent,
    ChatSession,
    ChatStatus,
    EndedBy,
    EventKind,
    ReplyChannel,
    hash_token,
    new_token,
)
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations import replies
from civicdesk.conversations.models import Conversation

CLIENT_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
BLOCKED_TAG = "chat-blocked"


class ChatRefused(Exception):  # noqa: N818 (an outcome shown to the person, like PermanentSendError)
    """The action cannot be done; `str(exc)` is a sentence for the person who tried (resident or agent)."""

    status = 409


class MessageTooLong(ChatRefused):
    status = 413


class SessionBlocked(ChatRefused):
    status = 403


class SessionClosed(ChatRefused):
    status = 409


class BadInput(ChatRefused):
    status = 400


@dataclass(frozen=True)
class Posted:
    event: ChatEvent
    created: bool  # False: a retry of a post that already took effect (the same event is returned)


def max_length() -> int:
    return int(settings.CHAT_MAX_MESSAGE_CHARS)


def clean_text(text: str) -> str:
    """The message as it will be stored; refused when empty or over the length cap (with the cap in the sentence)."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise BadInput(gettext("Please write a message."))
    if len(text) > max_length():
        raise MessageTooLong(gettext("Your message is too long: at most %(limit)d characters, this one has "
                                     "%(count)d.") % {"limit": max_length(), "count": len(text)})
    return text


def clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if not CLIENT_ID.match(client_id):
        raise BadInput(gettext("This message has no valid id; please reload the page and send it again."))
    return client_id


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def agent_label(agent: Any) -> str:
    """The name a resident sees for an agent: their first name, else their username."""
    return (getattr(agent, "first_name", "") or agent.get_username()).strip()[:60]


# ---------------------------------------------------------------------------------------------------- resident


@transaction.atomic
def start_session(*, agency: Agency, text: str, client_id: str, service: Service | None = None, name: str = "",
                  email: str = "", phone: str = "", reply_channel: str = "", language: str = "",
                  ip_hash: str = "") -> tuple[ChatSession, str]:
    """A resident's first message: a new case (channel chat) routed to the agency (or the service's), its
    conversation, the session waiting in the agency's queue, and seq 1. Returns the session and the resident's
    secret token (only its hash is kept). Raises ChatRefused subclasses on bad input (InvalidIdentity too)."""
    return _open(agency=agency, service=service, text=text, client_id=client_id, name=name, email=email,
                 phone=phone, reply_channel=reply_channel, language=language, ip_hash=ip_hash,
                 status=ChatStatus.WAITING)


@transaction.atomic
def leave_message(*, agency: Agency, text: str, client_id: str, reply_channel: str, service: Service | None = None,
                  name: str = "", email: str = "", phone: str = "", language: str = "",
                  ip_hash: str = "") -> tuple[ChatSession, str]:
    """Nobody of the agency is available: the message becomes a case answered later by email or SMS (the resident's
    choice, whose address is then required). The session is born finished (left_message); the resident gets the
    usual acknowledgement with the case number on that channel."""
    if reply_channel not in (ReplyChannel.EMAIL, ReplyChannel.SMS):
        raise BadInput(gettext("Please choose how we should answer you: by email or by text message."))
    if reply_channel == ReplyChannel.EMAIL and not email.strip():
        raise BadInput(gettext("Please give your email address, so we can answer you by email."))
    if reply_channel == ReplyChannel.SMS and not phone.strip():
        raise BadInput(gettext("Please give your phone number, so we can answer you by text message."))
    session, token = _open(agency=agency, service=service, text=text, client_id=client_id, name=name, email=email,
                           phone=phone, reply_channel=reply_channel, language=language, ip_hash=ip_hash,
                           status=ChatStatus.LEFT_MESSAGE)
    replies.acknowledge(session.case)
    return session, token


@transaction.atomic
def post_resident_message(session: ChatSession, *, text: str, client_id: str) -> Posted:
    """A resident's message on a live session. A retry with the same client_id returns the first post's event,
    even after the session ended or was blocked (it took effect then); otherwise a blocked session gets
    SessionBlocked and an ended one SessionClosed."""
    client_id = clean_client_id(client_id)
    session = _lock(session)
    existing = _already(session, client_id)
    if existing is not None:
        return Posted(existing, created=False)
    if session.blocked:
        raise SessionBlocked(gettext("This chat was closed by the agency. If you still need help, please use the "
                                     "request form or call us."))
    if not session.is_live:
        raise SessionClosed(gettext("This chat has ended. Start a new chat if you need more help."))
    text = clean_text(text)
    message = _resident_message(session, text, client_id)
    event = _event(session, EventKind.MESSAGE, message=message, client_id=client_id,
                   last_message_at=message.created_at, resident_seen_at=message.created_at)
    return Posted(event, created=True)


@transaction.atomic
def end_session(session: ChatSession, *, by_agent: Any = None, reason: str = EndedBy.RESIDENT) -> ChatSession:
    """End a live session: by the resident (by_agent None), by an agent, or by the idle timeout
    (reason=EndedBy.TIMEOUT). The case stays as it is; later replies go by the resident's email or SMS.
    Ending an ended session changes nothing."""
    session = _lock(session)
    if not session.is_live:
        return session
    ended_by = EndedBy.AGENT if by_agent is not None else reason
    _finish(session, ChatStatus.ENDED, ended_by=ended_by)
    _event(session, EventKind.ENDED, data={"by": ended_by})
    return session


@transaction.atomic
def block_session(session: ChatSession, agent: Any, *, reason: str = "") -> ChatSession:
    """An agent blocks the session: it ends, the resident's page says so politely and cannot post any more, and
    the case is tagged chat-blocked with the reason on its timeline. The IP hash stays, for the rate limits."""
    session = _lock(session)
    if session.blocked:
        return session
    session.blocked = True
    if session.is_live:
        _finish(session, ChatStatus.ENDED, ended_by=EndedBy.AGENT, fields=["blocked"])
    else:
        session.save(update_fields=["blocked"])
    _event(session, EventKind.BLOCKED)
    why = gettext("%(name)s blocked the live chat session.") % {"name": agent_label(agent)}
    if reason.strip():
        why = gettext("%(name)s blocked the live chat session: %(reason)s") % {
            "name": agent_label(agent), "reason": reason.strip()[:500]}
    case_actions.flag_case(session.case, BLOCKED_TAG, reason=why, actor_label=Channel.CHAT)
    return session


# ---------------------------------------------------------------------------------------------------- agents


@transaction.atomic
def accept_session(session: ChatSession, agent: Any) -> ChatSession:
    """An agent takes a waiting chat: it becomes active, its case is assigned to them, the resident sees who is
    answering. Refused (SessionClosed) when another agent took it first or it ended; accepting one's own active
    chat again changes nothing. The caller checks that the agent may see the session's agency."""
    session = _lock(session)
    if session.status == ChatStatus.ACTIVE and session.agent_id == agent.pk:
        return session
    if session.status != ChatStatus.WAITING:
        raise SessionClosed(gettext("This chat was already taken or has ended."))
    session.status, session.agent, session.accepted_at = ChatStatus.ACTIVE, agent, timezone.now()
    session.save(update_fields=["status", "agent", "accepted_at"])
    case_actions.assign(session.case, actor=agent, assignee=agent)
    _event(session, EventKind.ACCEPTED, data={"agent": agent_label(agent)})
    return session


@transaction.atomic
def post_agent_message(session: ChatSession, agent: Any, *, text: str, client_id: str) -> Posted:
    """The answering agent's message: a reply on the case's timeline (first response time, a new case opens),
    on the resident's screen at once; no delivery job (the resident's page reads it). Idempotent on client_id.
    Only the session's agent may write (ChatRefused otherwise), only while it is active."""
    client_id = clean_client_id(client_id)
    session = _lock(session)
    existing = _already(session, client_id)
    if existing is not None:
        return Posted(existing, created=False)
    if session.status != ChatStatus.ACTIVE:
        raise SessionClosed(gettext("This chat is not active any more."))
    if session.agent_id != agent.pk:
        raise ChatRefused(gettext("Only the agent answering this chat can write in it."))
    text = clean_text(text)
    now = timezone.now()
    case = session.case
    message = Message.objects.create(
        case=case, direction=Direction.OUTBOUND, channel=Channel.CHAT, author=agent, contact_id=case.contact_id,
        body_text=text, visible_text=text, recipient=session.thread_key[:320],
        provider_message_id=_provider_id(session, client_id), delivery_status=DeliveryStatus.SENT, created_at=now,
    )
    publish(MessageAdded(case, message))
    case_actions.note_reply(case, message)
    return Posted(_event(session, EventKind.MESSAGE, message=message, client_id=client_id, last_message_at=now),
                  created=True)


@transaction.atomic
def transfer_session(session: ChatSession, agent: Any, *, to_agent: Any) -> ChatSession:
    """Hand an active chat to another agent (they must be able to see its agency; the caller checks)."""
    session = _lock(session)
    if session.status != ChatStatus.ACTIVE:
        raise SessionClosed(gettext("This chat is not active any more."))
    session.agent = to_agent
    session.save(update_fields=["agent"])
    case_actions.assign(session.case, actor=agent, assignee=to_agent)
    _event(session, EventKind.TRANSFERRED, data={"agent": agent_label(to_agent)})
    return session


def set_availability(agent: Any, *, accepting: bool, max_chats: int | None = None) -> AgentAvailability:
    """An agent switches taking chats on or off (and how many at once); switching on counts as checking in."""
    values: dict[str, Any] = {"accepting": accepting, "seen_at": timezone.now()}
    if max_chats is not None:
        values["max_chats"] = max(1, min(int(max_chats), 20))
    availability, _created = AgentAvailability.objects.update_or_create(user=agent, defaults=values)
    return availability


def check_in(agent: Any) -> None:
    """The agent's desk page is open (called by its heartbeat; written at most every CHECK_IN_EVERY)."""
    now = timezone.now()
    AgentAvailability.objects.filter(user=agent, accepting=True).exclude(
        seen_at__gt=now - CHECK_IN_EVERY).update(seen_at=now)


CHECK_IN_EVERY = timedelta(seconds=10)


def resident_seen(session: ChatSession) -> None:
    """The resident's page listened or polled: noted at most every 15 seconds (the idle timeout reads it)."""
    now = timezone.now()
    if session.resident_seen_at is None or session.resident_seen_at < now - timedelta(seconds=15):
        ChatSession.objects.filter(pk=session.pk).update(resident_seen_at=now)
        session.resident_seen_at = now


def expire_idle_sessions() -> int:
    """End live sessions whose resident's page has been gone for CHAT_RESIDENT_GONE_SECONDS (the periodic job)."""
    cutoff = timezone.now() - timedelta(seconds=settings.CHAT_RESIDENT_GONE_SECONDS)
    gone = ChatSession.objects.filter(status__in=ChatStatus.live(), resident_seen_at__lt=cutoff)
    ended = 0
    for session in gone.order_by("pk")[:200]:
        if end_session(session, reason=EndedBy.TIMEOUT).ended_by == EndedBy.TIMEOUT:
            ended += 1
    return ended


# ---------------------------------------------------------------------------------------------------- helpers


def session_for_token(token: str, *, light: bool = False) -> ChatSession | None:
    """The session of a resident's secret token (None for an unknown or empty one); `light`: its id and key only,
    for a caller that hands it to an action (which reads the session again under its lock)."""
    if not token:
        return None
    if light:
        return ChatSession.objects.only("pk", "key").filter(token_hash=hash_token(token)).first()
    return ChatSession.objects.select_related("case", "agency").filter(token_hash=hash_token(token)).first()


def _open(*, agency: Agency, service: Service | None, text: str, client_id: str, name: str, email: str, phone: str,
          reply_channel: str, language: str, ip_hash: str, status: str) -> tuple[ChatSession, str]:
    client_id = clean_client_id(client_id)
    text = clean_text(text)
    email, phone = _identity(IdentityKind.EMAIL, email), _identity(IdentityKind.PHONE, phone)
    if reply_channel not in ReplyChannel.values:
        raise BadInput(gettext("Please choose how we should answer you: by email or by text message."))
    name = " ".join((name or "").split())[:200]
    identities = [(kind, value) for kind, value in ((IdentityKind.EMAIL, email), (IdentityKind.PHONE, phone)) if value]
    contact = resolve_contact(identities, display_name=name, language=language) if identities else None
    route = choose_route(RoutingInput(service=service, agency_slug="" if service else agency.slug))
    case = case_actions.create_case(channel=Channel.CHAT, route=route, service=service, contact=contact,
                                    subject=_subject(text), description=text)
    now = timezone.now()
    token = new_token()
    session = ChatSession.objects.create(
        token_hash=hash_token(token), agency=route.agency, service=service, name=name, email=email, phone=phone,
        reply_channel=reply_channel, language=language[:10], status=status, ip_hash=ip_hash[:64], case=case,
        created_at=now, resident_seen_at=now,
        ended_at=now if status == ChatStatus.LEFT_MESSAGE else None,
    )
    session.conversation = Conversation.objects.create(
        channel=Channel.CHAT, thread_key=session.thread_key, contact=contact, identity=_reply_identity(session),
        case=case, last_inbound_at=now, created_at=now,
        reply_window_until=None if status == ChatStatus.LEFT_MESSAGE else now + _live_window())
    session.save(update_fields=["conversation"])
    message = _resident_message(session, text, client_id, touch=False)
    _event(session, EventKind.MESSAGE, message=message, client_id=client_id, last_message_at=now)
    return session, token


def _identity(kind: str, raw: str) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        return normalize_identity(kind, raw)
    except InvalidIdentity as exc:
        raise BadInput(str(exc)) from exc


def _subject(text: str) -> str:
    first = " ".join(text.split())
    return first if len(first) <= 80 else first[:79].rstrip() + "…"


def _reply_identity(session: ChatSession) -> Identity | None:
    """Where the case goes on after the chat: the resident's chosen channel, else the email, else the phone."""
    order = [IdentityKind.PHONE, IdentityKind.EMAIL] if session.reply_channel == ReplyChannel.SMS else [
        IdentityKind.EMAIL, IdentityKind.PHONE]
    values = {IdentityKind.EMAIL: session.email, IdentityKind.PHONE: session.phone}
    for kind in order:
        if values[kind]:
            return Identity.objects.filter(kind=kind, value=values[kind]).first()
    return None


def _live_window() -> timedelta:
    """While a chat is live its conversation's reply window is open (replies.reply_target answers in the chat);
    each message pushes it on, and the end of the chat closes it."""
    return timedelta(seconds=settings.CHAT_RESIDENT_GONE_SECONDS * 2)


def _resident_message(session: ChatSession, text: str, client_id: str, *, touch: bool = True) -> Message:
    """The resident's message on the case; the caller writes its event (with the session's times).

    While an agent is answering, the message is not published as MessageAdded: the agent reads it live, and a
    notification (and an email when away) per line of a chat would only be noise. Waiting and first messages are.
    """
    case = session.case
    now = timezone.now()
    identity_id = session.conversation.identity_id if session.conversation_id and session.conversation else None
    message = Message.objects.create(
        case=case, direction=Direction.INBOUND, channel=Channel.CHAT, is_public=False, contact_id=case.contact_id,
        sender_identity_id=identity_id, body_text=text, visible_text=text,
        provider_message_id=_provider_id(session, client_id), content_hash=text_hash(text),
        delivery_status=DeliveryStatus.RECEIVED, created_at=now,
    )
    if touch:
        case_actions.reopen_if_finished(case)
        conversation = session.conversation
        window = _live_window()
        if conversation is not None and (conversation.reply_window_until is None
                                         or conversation.reply_window_until < now + window / 2):
            Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=now,
                                                                   reply_window_until=now + window)
    if session.status != ChatStatus.ACTIVE:
        publish(MessageAdded(case, message))
    return message


def _provider_id(session: ChatSession, client_id: str) -> str:
    return f"chat:{session.key}:{client_id}"[:300]


def _lock(session: ChatSession) -> ChatSession:
    """The session row, locked for this transaction, with its case (every action starts here)."""
    locked = ChatSession.objects.select_for_update(of=("self",)).select_related("case", "conversation").get(
        pk=session.pk)
    return locked


def _already(session: ChatSession, client_id: str) -> ChatEvent | None:
    """The event of an earlier post with this client_id (a retry); a cheap check first, as most posts are new."""
    found = ChatEvent.objects.filter(session_id=session.pk, client_id=client_id).order_by()
    if not found.values_list("pk", flat=True)[:1]:
        return None
    return found.select_related("message").first()


def _finish(session: ChatSession, status: str, *, ended_by: str, fields: list[str] | None = None) -> None:
    now = timezone.now()
    session.status, session.ended_at, session.ended_by = status, now, ended_by
    session.save(update_fields=["status", "ended_at", "ended_by", *(fields or [])])
    if session.conversation_id:  # the chat's reply window closes: replies go by email or SMS from now on
        Conversation.objects.filter(pk=session.conversation_id).update(reply_window_until=now)


def _event(session: ChatSession, kind: str, *, message: Message | None = None, client_id: str = "",
           data: dict[str, Any] | None = None, **session_fields: Any) -> ChatEvent:
    """The session's next event; the caller holds the session's row lock (so seq follows commit order).
    `session_fields` are written with the new last_seq, in the same UPDATE."""
    seq = session.last_seq + 1
    ChatSession.objects.filter(pk=session.pk).update(last_seq=seq, **session_fields)
    session.last_seq = seq
    for name, value in session_fields.items():
        setattr(session, name, value)
    queue = seq == 1 or kind != EventKind.MESSAGE  # a new chat, or one taken, handed over or ended
    session_id = session.pk
    transaction.on_commit(lambda: push.poke(session_id, queue=queue))  # streams in any process here read it now
    return ChatEvent.objects.create(session=session, seq=seq, kind=kind, message=message, client_id=client_id,
                                    data=data or {}, created_at=timezone.now())
