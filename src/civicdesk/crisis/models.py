"""Crisis mode's records: incidents and their official updates, alert subscriptions, broadcasts and deliveries."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Incident(models.Model):
    """An emergency declared by staff: while active, a banner on every portal page links to its public page."""

    slug = models.SlugField(max_length=80, unique=True, verbose_name=_("address on the portal"))
    title_en = models.CharField(max_length=120, verbose_name=_("title (English)"))
    title_es = models.CharField(max_length=120, verbose_name=_("title (Spanish)"))
    summary_en = models.TextField(max_length=600, verbose_name=_("summary (English)"))
    summary_es = models.TextField(max_length=600, verbose_name=_("summary (Spanish)"))
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("agency"))
    whole_city = models.BooleanField(default=False, verbose_name=_("the whole city"))
    areas = models.ManyToManyField("gis.Area", blank=True, related_name="+", verbose_name=_("affected areas"))
    status = models.CharField(max_length=10, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE)
    declared_at = models.DateTimeField()
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    # Where it came from when not declared by hand: "listening-alert:<id>" (no foreign key: listening is optional)
    source = models.CharField(max_length=100, null=True, blank=True, verbose_name=_("source"))

    class Meta:
        ordering = ["-declared_at", "-id"]
        indexes = [models.Index(fields=["status", "declared_at"], name="incident_status")]

    def __str__(self) -> str:
        return self.title_en

    @property
    def source_alert_id(self) -> int | None:
        """The listening alert it was declared from ("listening-alert:<id>"), or None."""
        kind, _, number = (self.source or "").partition(":")
        return int(number) if kind == "listening-alert" and number.isdigit() else None

    def title(self, language: str) -> str:
        return self.title_es if language == "es" and self.title_es else self.title_en

    def summary(self, language: str) -> str:
        return self.summary_es if language == "es" and self.summary_es else self.summary_en


class IncidentUpdate(models.Model):
    """An official update, published by staff (or by a broadcast) on the incident's public page."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    text_en = models.TextField(max_length=2000)
    text_es = models.TextField(max_length=2000)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["-published_at", "-id"]

    def text(self, language: str) -> str:
        return self.text_es if language == "es" and self.text_es else self.text_en


class AlertChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Subscribed")
    ENDED = "ended", _("Unsubscribed")


class SubscriptionSource(models.TextChoices):
    WEB = "web", _("Web form")
    SMS = "sms", _("Texted JOIN")
    IMPORT = "import", _("Imported")


class Subscription(models.Model):
    """One address (an email or a phone number) subscribed to alerts for one area, or the whole city (no area)."""

    channel = models.CharField(max_length=10, choices=AlertChannel.choices)
    address = models.CharField(max_length=320, help_text="Normalised: lower-case email, E.164 phone.")
    language = models.CharField(max_length=8, default="en")
    area = models.ForeignKey("gis.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             help_text="Empty: the whole city.")
    # The number texts come from: the one they texted JOIN to, else the default alert number
    account = models.ForeignKey("channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    status = models.CharField(max_length=10, choices=SubscriptionStatus.choices, default=SubscriptionStatus.PENDING)
    source = models.CharField(max_length=10, choices=SubscriptionSource.choices, default=SubscriptionSource.WEB)
    token = models.CharField(max_length=64, unique=True, help_text="In confirmation and unsubscribe links.")
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address", "area"], condition=Q(area__isnull=False),
                                    name="subscription_one_per_area"),
            models.UniqueConstraint(fields=["channel", "address"], condition=Q(area__isnull=True),
                                    name="subscription_one_city_wide"),
        ]
        indexes = [models.Index(fields=["status", "area"], name="subscription_status_area"),
                   models.Index(fields=["channel", "address"], name="subscription_address")]

    def __str__(self) -> str:
        return f"{self.channel} subscription {self.pk}"


class BroadcastStatus(models.TextChoices):
    SENDING = "sending", _("Sending")
    DONE = "done", _("Done")


class Broadcast(models.Model):
    """One message of an incident, in English and Spanish, with a shorter text for SMS, sent on every channel."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="broadcasts")
    text_en = models.TextField(max_length=2000)
    text_es = models.TextField(max_length=2000)
    sms_en = models.CharField(max_length=320)
    sms_es = models.CharField(max_length=320)
    update = models.OneToOneField(IncidentUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=BroadcastStatus.choices, default=BroadcastStatus.SENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True, help_text="Every delivery row written.")
    finished_at = models.DateTimeField(null=True, blank=True)
    estimate_seconds = models.PositiveIntegerField(default=0, help_text="The throttles' time for the whole blast.")

    class Meta:
        ordering = ["-created_at", "-id"]


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CAPTURED = "captured", _("Kept in the outbox, not sent")
    FAILED = "failed", _("Failed")
    OPTED_OUT = "opted_out", _("Not sent: opted out")


class BroadcastDelivery(models.Model):
    """One subscriber's copy of a broadcast: at most one row per subscription, claimed and sent once."""

    # Few indexes, for the 100,000-row insert: delivery_once leads with the broadcast (its progress counts use it);
    # subscriptions are ended, never deleted, so their deliveries need no index of their own.
    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10, choices=AlertChannel.choices)
    account_id = models.BigIntegerField(null=True, blank=True, help_text="The SMS number it goes out from.")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["broadcast", "subscription"], name="delivery_once")]
        indexes = [models.Index(fields=["channel", "status", "account_id"], name="delivery_lane")]


class PostStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Posted")
    FAILED = "failed", _("Failed")
    NOT_SUPPORTED = "unsupported", _("Not supported yet")


class BroadcastPost(models.Model):
    """The broadcast as a post on one connected social account (or why it could not be one)."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="posts")
    account = models.ForeignKey("channels.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=12, choices=PostStatus.choices, default=PostStatus.QUEUED)
    provider_id = models.CharField(max_length=300, blank=True)
    error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["broadcast", "account"], name="post_once")]


class SendLane(models.Model):
    """One sending lane ("sms", "email"): held by one worker at a time, so a number's throttle holds across workers
    and broadcasts. A lane whose lease ran out was held by a dead worker; the next holder requeues what it left."""

    key = models.CharField(max_length=20, unique=True)
    holder = models.CharField(max_length=40, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
