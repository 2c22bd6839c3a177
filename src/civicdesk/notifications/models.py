"""Notifications for staff, each user's choice of how to be told of each kind, and when they were last at the desk."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("A case is assigned to me")
    REPLY = "reply", _("A resident replies on a case assigned to me")
    MENTION = "mention", _("An internal note mentions me")
    SLA_WARNING = "sla_warning", _("A case I work on or supervise is close to missing its target")
    SLA_BREACHED = "sla_breached", _("A case I work on or supervise missed its target")


class Delivery(models.TextChoices):
    """How a user wants to hear of one kind of notification."""

    AWAY = "away", _("In the desk, and by email when I am away from the desk")
    ALWAYS = "always", _("In the desk, and always by email")
    DESK = "desk", _("In the desk only")
    OFF = "off", _("Off")


DEFAULT_DELIVERY = Delivery.AWAY


class EmailState(models.TextChoices):
    NONE = "none", _("No email wanted")
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    CAPTURED = "captured", _("Captured, not sent")  # the built-in outbox (no EMAIL_HOST)
    AT_DESK = "at_desk", _("Not sent: the user was at the desk")
    NO_ADDRESS = "no_address", _("Not sent: the user has no email address")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """One thing a staff member is told of. `key` names the event, so one event notifies each recipient once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  db_index=False)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", help_text=_("Who did it; empty for a resident, routing or the system."))
    message = models.ForeignKey("cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                help_text=_("The resident's message or the note it is about."))
    key = models.CharField(max_length=100, help_text=_("The event it is about, e.g. message:123 (one per recipient)."))
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=DEFAULT_DELIVERY,
                                help_text=_("The recipient's setting for this kind when it was made."))
    email_state = models.CharField(max_length=12, choices=EmailState.choices, default=EmailState.NONE)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "-created_at"], name="notification_recipient_created"),
                   models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at__isnull=True)),
                   models.Index(fields=["case"], name="notification_case")]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}→{self.recipient_id}"


class NotificationSetting(models.Model):
    """A user's choice for one kind; a kind without a row uses DEFAULT_DELIVERY."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings",
                             db_index=False)
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=DEFAULT_DELIVERY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}={self.delivery}"


class DeskPresence(models.Model):
    """When a user last had the desk open (a staff page or its live check-in); written at most once a minute."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    last_seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id}@{self.last_seen_at:%Y-%m-%d %H:%M}"
