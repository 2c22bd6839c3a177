"""Conversation-layer records: conversations (one thread on one channel account) and the events that took effect."""

from django.conf import settings
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
    KEYWORD = "keyword", "Keyword text (STOP, START, HELP)"
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


class MediaStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be fetched")
    FETCHED = "fetched", _("Fetched and kept")
    FAILED = "failed", _("Not kept")


class PendingMedia(models.Model):
    """A file an inbound message names by URL (an MMS picture), fetched by a background job with the credentials of
    the account it arrived on, then kept as one of the message's attachments."""

    message = models.ForeignKey("cases.Message", on_delete=models.CASCADE, related_name="pending_media")
    account = models.ForeignKey("channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    url = models.TextField(help_text=_("The provider's address of the file (fetched with the account's credentials)."))
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=10, choices=MediaStatus.choices, default=MediaStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text=_("When a failed fetch is tried again."))
    attachment = models.ForeignKey("cases.Attachment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("media to fetch")
        verbose_name_plural = _("media to fetch")
        indexes = [models.Index(fields=["status", "created_at"], name="pending_media_status")]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.filename}"
class ConsentSource(models.TextChoices):
    KEYWORD = "keyword", _("A keyword text")
    STAFF = "staff", _("Confirmed by staff")


class SenderConsent(models.Model):
    """Whether a resident's number (identity) may get messages from one of our accounts: STOP to that number opts
    out of that sender only. One row per pair, made on the first keyword; no row: may send.

    Identity.opted_out_at stays the provider's channel-wide opt-out (an OptOut event with no account known)."""

    identity = models.ForeignKey("contacts.Identity", on_delete=models.CASCADE, related_name="consents")
    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE, related_name="consents")
    opted_out_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty: messages may be sent."))
    changed_at = models.DateTimeField()
    keyword = models.CharField(max_length=20, blank=True, help_text=_("The keyword of the last change, if any."))
    source = models.CharField(max_length=10, choices=ConsentSource.choices, default=ConsentSource.KEYWORD)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["identity", "account"], name="sender_consent_once")]

    def __str__(self) -> str:
        return f"{self.identity_id}@{self.account_id}:{'out' if self.opted_out_at else 'in'}"


class ConsentChange(models.Model):
    """Each opt-out and opt-in as it happened, for the export (the audit trail tells the same on the timeline)."""

    identity = models.ForeignKey("contacts.Identity", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    opted_out = models.BooleanField()
    source = models.CharField(max_length=10, choices=ConsentSource.choices)
    keyword = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=300, blank=True, help_text="The keyword text's id.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["account", "at"], name="consent_change_account_at")]

    def __str__(self) -> str:
        return f"{self.identity_id}@{self.account_id}:{'out' if self.opted_out else 'in'}"


class StopRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    CONFIRMED = "confirmed", _("Opted out")
    DISMISSED = "dismissed", _("Dismissed")


class StopRequest(models.Model):
    """A text that reads as a request to stop messages without being a keyword: a person confirms or dismisses it
    by the deadline (10 business days)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="stop_requests")
    message = models.OneToOneField("cases.Message", on_delete=models.CASCADE, related_name="stop_request")
    identity = models.ForeignKey("contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    account = models.ForeignKey("channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    phrase = models.CharField(max_length=200, help_text=_("The words that read as a request to stop."))
    due_on = models.DateField(help_text=_("Decide by this day (10 business days after the text)."))
    status = models.CharField(max_length=10, choices=StopRequestStatus.choices, default=StopRequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["case"], name="stop_request_case"),
                   models.Index(fields=["due_on"], name="stop_request_pending_due",
                                condition=Q(status="pending"))]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.status}"


class HelpText(models.Model):
    """What HELP (or AYUDA) texted to one agency's numbers answers; empty: a default naming the agency."""

    agency = models.OneToOneField("agencies.Agency", on_delete=models.CASCADE, related_name="sms_help_text")
    text_en = models.TextField(_("help text in English"), blank=True, max_length=320)
    text_es = models.TextField(_("help text in Spanish"), blank=True, max_length=320)

    class Meta:
        verbose_name = _("SMS help text")
        verbose_name_plural = _("SMS help texts")

    def __str__(self) -> str:
        return str(self.agency_id)


class KeywordReply(models.Model):
    """An automatic answer to a keyword text (a STOP or START confirmation, the help text): which of our accounts
    sends it (it may be on no case), and whether it is the one STOP confirmation that may go to a number that has
    just opted out."""

    message = models.OneToOneField("cases.Message", on_delete=models.CASCADE, primary_key=True,
                                   related_name="keyword_reply")
    account = models.ForeignKey("channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    keyword = models.CharField(max_length=20)
    confirms_opt_out = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.message_id}:{self.keyword}"
