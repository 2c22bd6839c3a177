"""Cases and their timelines: messages in and out on every channel, notes, attachments and links."""

import re
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicdesk.channels.models import Channel

PUBLIC_ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"  # no 0/o, 1/l: readable when copied by hand
PUBLIC_ID_LENGTH = 20  # about 100 bits: a stranger cannot walk or guess them


def new_public_id() -> str:
    """A random, non-sequential id for the case's public URLs and its Open311 service_request_id."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on resident")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def finished(cls) -> list[str]:
        return [cls.RESOLVED, cls.CLOSED]


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


TAG_LENGTH = 60
TAG_SEPARATORS = re.compile(r"[\s_\-,]+")


def normalize_tag_name(name: str) -> str:
    """The one spelling of a tag: case-folded words joined by hyphens ("Lane Blocked", "lane_blocked" and
    "lane-blocked" are one tag, lane-blocked); empty for a name of separators only."""
    words = TAG_SEPARATORS.split(str(name).strip().casefold())
    return "-".join(word for word in words if word)[:TAG_LENGTH].strip("-")


class Tag(models.Model):
    """A label on cases; its name is always stored normalised (normalize_tag_name), so it is case-insensitive."""

    name = models.CharField(max_length=TAG_LENGTH, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = normalize_tag_name(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.name = normalize_tag_name(self.name)  # before the unique check of a form (the admin)


class Case(models.Model):
    number = models.CharField(max_length=32, unique=True)
    public_id = models.CharField(
        max_length=32, null=True, blank=True, editable=False, default=new_public_id,
        help_text=_("Random id of the case's public URLs and of its Open311 service_request_id."),
    )
    channel = models.CharField(max_length=20, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="cases", db_index=False)
    team = models.ForeignKey(
        "agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", db_index=False
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases",
        db_index=False,
    )
    service = models.ForeignKey(
        "agencies.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases", db_index=False
    )
    subject = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    address = models.CharField(max_length=300, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    source_app = models.CharField(max_length=120, blank=True, help_text="Client application, e.g. an Open311 key.")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged", db_index=False
    )
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    followers = models.ManyToManyField("contacts.Contact", blank=True, related_name="followed_cases")
    supporter_count = models.PositiveIntegerField(default=0, help_text="'+1' from residents with the same problem.")
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="The earliest due time of the case's running SLA targets (kept by the slas app).")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="case_agency_created"),
            models.Index(fields=["status", "-created_at"], name="case_status_created"),
            models.Index(fields=["channel", "-created_at"], name="case_channel_created"),
            models.Index(fields=["service", "-created_at"], name="case_service_created"),
            models.Index(fields=["assignee", "-created_at"], name="case_assignee_created"),
            models.Index(fields=["team", "-created_at"], name="case_team_created"),
            models.Index(fields=["contact"], name="case_contact"),
            models.Index(fields=["lat", "lon"], name="case_lat_lon"),
            # Only merged cases: an index over the all-NULL column would only mislead the planner.
            models.Index(fields=["merged_into"], name="case_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
            # The inbox's "next due first" sort: only cases with a running target.
            models.Index(fields=["sla_due_at"], name="case_sla_due", condition=models.Q(sla_due_at__isnull=False)),
            # The live queue's counts (open, unassigned, each agent's load), read from the index alone.
            models.Index(fields=["status", "agency", "merged_into"], name="case_open_by_agency"),
            models.Index(fields=["assignee", "status", "agency", "merged_into"], name="case_open_by_assignee"),
        ]
        # A partial unique index: added without rebuilding the table (SQLite would lose its FTS triggers).
        constraints = [models.UniqueConstraint(fields=["public_id"], condition=models.Q(public_id__isnull=False),
                                               name="case_public_id_unique")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_finished(self) -> bool:
        return self.status in CaseStatus.finished()


class Direction(models.TextChoices):
    INBOUND = "in", "From the resident"
    OUTBOUND = "out", "To the resident"
    NOTE = "note", "Internal note"


class ReplyAudience(models.TextChoices):
    """Who sees a staff reply: the resident alone, or everyone (a public update, also sent to followers)."""

    PRIVATE = "private", _("Reply privately to the resident")
    PUBLIC = "public", _("Public update: everyone can see it on the status page, map and Open311, "
                         "and followers get it by email")


class DeliveryStatus(models.TextChoices):
    """Where a message is: received (inbound), or on its way out (see conversations.delivery for the moves)."""

    RECEIVED = "received", "Received"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    PUBLISHED = "published", "Published on the status page"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"
    CAPTURED = "captured", "Captured, not sent"  # kept in the built-in outbox: no mail server is set (EMAIL_HOST)


class Message(models.Model):
    """One entry on a case timeline that has content: a message in or out, or an internal note."""

    case = models.ForeignKey(
        Case, null=True, on_delete=models.CASCADE, related_name="messages", db_index=False,
        help_text="Empty only for an automatic text to a number with no case (a STOP confirmation).")
    direction = models.CharField(max_length=4, choices=Direction.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    is_public = models.BooleanField(
        default=False, help_text=_("A public update: on the status page, the map and Open311, and sent to followers."))
    origin_case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False,
        help_text=_("The case this message was written on, when a merge moved it to another case."),
    )
    update_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="copies", db_index=False,
        help_text=_("The public update this message carries to one follower by email."),
    )
    is_automatic = models.BooleanField(default=False, help_text="Sent by the system, not a person.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender_identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Inbound: the address or number it came from; replies on the case go to the latest one.",
    )
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True, help_text="The whole text as received or sent.")
    body_html = models.TextField(blank=True, help_text="Sanitised HTML, when the message had HTML.")
    visible_text = models.TextField(blank=True, help_text="The new text without quoted history.")
    deleted_by_author_at = models.DateTimeField(
        null=True, blank=True, help_text="Inbound: the author deleted it on the platform; its text is gone here too.")
    edited_by_author_at = models.DateTimeField(
        null=True, blank=True, help_text="Inbound: the author last edited it on the platform; the text is the new one.")
    provider_message_id = models.CharField(max_length=300, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, help_text="Of the inbound payload it came from.")
    email_message_id = models.CharField(max_length=300, blank=True)
    recipient = models.CharField(max_length=320, blank=True)
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        # The foreign-key and message-id indexes are declared here, so PostgreSQL gets no unused LIKE-pattern twin
        # and case lookups share the (case, created_at) index.
        indexes = [models.Index(fields=["case", "created_at"], name="message_case_created"),
                   models.Index(fields=["email_message_id"], name="message_email_id"),
                   models.Index(fields=["origin_case"], name="message_origin_case",
                                condition=models.Q(origin_case__isnull=False)),
                   # Only follower copies: deleting a message looks up its copies through this.
                   models.Index(fields=["update_of"], name="message_update_of",
                                condition=models.Q(update_of__isnull=False))]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_message_id", "content_hash"],
                condition=models.Q(direction="in") & ~models.Q(provider_message_id=""),
                name="message_inbound_once_per_provider_content",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.direction}:{self.pk}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    content_id = models.CharField(max_length=255, blank=True, help_text="For inline images in HTML mail.")
    is_public = models.BooleanField(default=False, help_text="A resident's photo shown on the status page.")
    published_at = models.DateTimeField(
        null=True, blank=True,
        help_text=_("When staff approved this photo for the request's public page; empty: only the resident sees it."))

    def __str__(self) -> str:
        return self.filename


class CaseTransfer(models.Model):
    """A hand-over between agencies; both agencies keep seeing the case trail through these rows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="transfers_out")
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="transfers_in")
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]


class TransferRequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class TransferRequest(models.Model):
    """An agent's transfer out of an agency that asks for a supervisor's approval first (Agency.
    transfer_approval_required); approved, it makes the CaseTransfer row of the trail."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfer_requests")
    from_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=TransferRequestStatus.choices,
                              default=TransferRequestStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    transfer = models.OneToOneField(CaseTransfer, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="request")

    class Meta:
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["from_agency", "requested_at"], name="transfer_request_pending",
                                condition=models.Q(status="pending"))]
        constraints = [models.UniqueConstraint(fields=["case"], condition=models.Q(status="pending"),
                                               name="transfer_request_one_pending_per_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_agency_id} → {self.to_agency_id} ({self.status})"


class FollowerOptOut(models.Model):
    """A follower who unsubscribed from a case's public updates (the signed link in each update email)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="opt_outs")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "contact"], name="follower_opt_out_once")]


class CaseCounter(models.Model):
    """The last case number issued in a year, so numbers run CD-2026-000001, CD-2026-000002, ..."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)
