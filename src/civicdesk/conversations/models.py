"""Conversation-layer records: conversations (one thread on one channel account) and the events that took effect."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel


class Conversation(models.Model):
    """Where a resident talks to us: its case is the one the next message continues, while it is open and recent.

    Unique by (account, thread key); channels without accounts (the portal) are unique by (channel, thread key).
    Two partial unique indexes say so, because a unique index over a NULL account would let duplicates in on both
    SQLite and PostgreSQL.
    """

    account = models.ForeignKey(
        "channels.ChannelAccount", null=True, blank=True, on_delete=models.PROTECT, related_name="conversations",
        db_index=False, help_text=_("Our account it runs on; empty for channels without accounts (the portal)."))
    channel = models.CharField(max_length=20, choices=Channel.choices)
    thread_key = models.CharField(
        max_length=300, help_text=_("The channel's thread: a pair of numbers, a DM thread, a root post, a session, "
                                    "or the first Message-ID of a mail thread."))
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations")
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The resident's address, number or handle on this conversation: where replies go."))
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations",
        help_text=_("The case the conversation's next message continues while it is open and recent."))
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    reply_window_until = models.DateTimeField(
        null=True, blank=True, help_text=_("Channels with a reply window (Messenger): free replies end then."))
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case"], name="conversation_case"),
                   models.Index(fields=["identity", "-last_inbound_at"], name="conversation_identity_latest")]
        constraints = [
            models.UniqueConstraint(fields=["channel", "thread_key"], condition=Q(account__isnull=True),
                                    name="conversation_unique_channel_key"),
            models.UniqueConstraint(fields=["account", "thread_key"], condition=Q(account__isnull=False),
                                    name="conversation_unique_account_key"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.thread_key}"


class EventKind(models.TextChoices):
    DELIVERY_REPORT = "delivery_report", "Delivery report"
    OPT_OUT = "opt_out", "Opt-out or opt-in"
    AUTHOR_EDIT = "author_edit", "Edit or deletion by the author"
    CALL_PART = "call_part", "Part of a phone call (recording or transcript)"


class AppliedEvent(models.Model):
    """One provider event that took effect. Inbound messages are deduplicated by their Message row instead."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    event_id = models.CharField(max_length=300, help_text="The provider's id of the event.")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    payload = models.ForeignKey("channels.InboundPayload", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    applied_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "event_id"], name="applied_event_unique_id")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind}:{self.event_id}"
