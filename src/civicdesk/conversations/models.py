"""Conversation-layer records: which inbound events (other than messages) took effect, so each does so once."""

from django.db import models

from civicdesk.channels.models import Channel


class EventKind(models.TextChoices):
    DELIVERY_REPORT = "delivery_report", "Delivery report"
    OPT_OUT = "opt_out", "Opt-out or opt-in"
    AUTHOR_EDIT = "author_edit", "Edit or deletion by the author"


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
