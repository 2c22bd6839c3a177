"""Live chat records: a chat session (one resident, one agency, one case), its event log, and agents' availability.

A chat is a conversation on a case (channel "chat", thread key `chat-<session key>`): every message is a Message
row on the case's timeline, so the transcript stays with the case and the case can go on by email or SMS after the
chat. The session adds what only a live chat has: who is answering, the queue, the block flag, and ChatEvent, the
per-session log the live transport reads (see chat/push.py).
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TOKEN_BYTES = 32


def new_token() -> str:
    """The resident's secret for one session (kept in an HttpOnly cookie; only its hash is stored)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ChatStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for an agent")
    ACTIVE = "active", _("In progress")
    ENDED = "ended", _("Ended")
    LEFT_MESSAGE = "left_message", _("Left a message")

    @classmethod
    def live(cls) -> list[str]:
        return [cls.WAITING, cls.ACTIVE]


class ReplyChannel(models.TextChoices):
    """How a resident wants to hear back after the chat (or instead of it, when nobody was available)."""

    NONE = "", _("No answer needed outside the chat")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")


class EndedBy(models.TextChoices):
    RESIDENT = "resident", _("The resident")
    AGENT = "agent", _("The agent")
    TIMEOUT = "timeout", _("Nobody wrote for a while")


class ChatSession(models.Model):
    """One live chat: from the resident's first message to its end. Lives on exactly one case."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False,
                           help_text=_("The session's public id: its conversation's thread key and staff URLs."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False,
                                  help_text=_("sha256 of the resident's secret token (the token is never stored)."))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="chat_sessions",
                               db_index=False)
    service = models.ForeignKey("agencies.Service", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, help_text=_("E.164, normalised."))
    reply_channel = models.CharField(max_length=10, choices=ReplyChannel.choices, blank=True)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=20, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="chat_sessions", db_index=False)
    blocked = models.BooleanField(default=False)
    ended_by = models.CharField(max_length=10, choices=EndedBy.choices, blank=True)
    ip_hash = models.CharField(max_length=64, blank=True, help_text=_("sha256 of the resident's address."))
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="chat_sessions", db_index=False)
    conversation = models.ForeignKey("conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", db_index=False)
    last_seq = models.PositiveIntegerField(default=0, help_text=_("The seq of the session's latest ChatEvent."))
    created_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    resident_seen_at = models.DateTimeField(null=True, blank=True,
                                            help_text=_("The resident's page last listened or polled (per 15 s)."))
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # the queue: live sessions of an agency, oldest first (partial: ended sessions never enter it)
            models.Index(fields=["agency", "created_at"], name="chat_session_queue",
                         condition=Q(status__in=["waiting", "active"])),
            models.Index(fields=["agent", "status"], name="chat_session_agent",
                         condition=Q(agent__isnull=False)),
            models.Index(fields=["case"], name="chat_session_case"),
            models.Index(fields=["ip_hash", "created_at"], name="chat_session_ip"),
        ]

    def __str__(self) -> str:
        return f"chat {self.key} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in ChatStatus.live()

    @property
    def thread_key(self) -> str:
        return f"chat-{self.key}"


class EventKind(models.TextChoices):
    MESSAGE = "message", "A message (either side)"
    ACCEPTED = "accepted", "An agent accepted the chat"
    TRANSFERRED = "transferred", "Another agent took over"
    ENDED = "ended", "The chat ended"
    BLOCKED = "blocked", "The session was blocked"


class ChatEvent(models.Model):
    """The per-session log the live transport reads: seq counts 1, 2, 3 ... per session, written under the
    session's row lock in the same transaction as what it reports, so a reader that saw seq N saw all before it."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="events", db_index=False)
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    message = models.ForeignKey("cases.Message", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    client_id = models.CharField(max_length=64, blank=True,
                                 help_text="The sender's message UUID: a retried post takes effect once.")
    data = models.JSONField(default=dict, blank=True, help_text="Plain facts for the screen (an agent's name).")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="chat_event_unique_seq"),
            models.UniqueConstraint(fields=["session", "client_id"], condition=~Q(client_id=""),
                                    name="chat_event_unique_client_id"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.kind}"


class AgentAvailability(models.Model):
    """Whether a staff member takes chats now: switched on in the desk, and their desk page checked in lately."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_availability")
    accepting = models.BooleanField(default=False)
    max_chats = models.PositiveSmallIntegerField(default=3)
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {'accepting' if self.accepting else 'not accepting'}"
