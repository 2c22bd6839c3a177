"""The channel layer's records: the Channel enum, raw inbound payloads (stored before parsing) and the quarantine."""

from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Web portal"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    OPEN311 = "open311", "Open311"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    YOUTUBE = "youtube", "YouTube"
    INTERNAL = "internal", "Internal"


class PayloadStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet processed"
    PROCESSED = "processed", "Processed"
    DUPLICATE = "duplicate", "Duplicate of an earlier payload"
    IGNORED = "ignored", "Ignored (auto-reply or bounce)"
    QUARANTINED = "quarantined", "Quarantined: could not be parsed"


class InboundPayload(models.Model):
    channel = models.CharField(max_length=20, choices=Channel.choices)
    provider_message_id = models.CharField(max_length=300, help_text="The provider's id, or a hash of the raw bytes.")
    raw = models.BinaryField()
    content_hash = models.CharField(max_length=64, blank=True, help_text="sha256 of the raw bytes, hex.")
    reuses_provider_id = models.BooleanField(
        default=False, help_text="An earlier payload had the same provider id with different content; both are kept.")
    content_type = models.CharField(max_length=120, blank=True)
    meta = models.JSONField(default=dict, blank=True, help_text="Transport facts: envelope, mailbox, remote address.")
    status = models.CharField(max_length=20, choices=PayloadStatus.choices, default=PayloadStatus.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.ForeignKey("cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="payload_status_received"),
                   models.Index(fields=["channel", "content_hash"], name="payload_channel_content")]
        constraints = [  # a provider id is a duplicate only with the same content: a reused id is stored again
            models.UniqueConstraint(fields=["channel", "provider_message_id", "content_hash"],
                                    name="payload_unique_provider_id_content")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.provider_message_id}"
