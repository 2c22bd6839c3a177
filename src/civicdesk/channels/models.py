"""The channel layer's records: the Channel enum, channel accounts, raw inbound payloads and webhook rejections."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.channels import credentials


class Channel(models.TextChoices):
    WEB = "web", "Web portal"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    PHONE = "phone", "Phone"
    OPEN311 = "open311", "Open311"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    YOUTUBE = "youtube", "YouTube"
    CHAT = "chat", "Live chat"
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
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="An inbound batch worker is applying it until then (a lease: a worker that "
        "dies leaves it to the next once it runs out).")

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


class Provider(models.TextChoices):
    """Who carries an account's traffic: the key of the adapter, and the <provider> of its webhook URL."""

    EMAIL = "email", _("Email (SMTP and IMAP)")
    WEB = "web", _("Web portal")
    OPEN311 = "open311", _("Open311")
    TWILIO = "twilio", _("Twilio (SMS and voice)")
    META = "meta", _("Meta (Facebook and Instagram)")
    X = "x", _("X")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    YOUTUBE = "youtube", _("YouTube")
    CHAT = "chat", _("Web chat")


# The channels each provider may carry (an account's channel must be one of its provider's).
PROVIDER_CHANNELS: dict[str, tuple[str, ...]] = {
    Provider.EMAIL: (Channel.EMAIL,),
    Provider.WEB: (Channel.WEB,),
    Provider.OPEN311: (Channel.OPEN311,),
    Provider.TWILIO: (Channel.SMS, Channel.PHONE),
    Provider.META: (Channel.FACEBOOK, Channel.INSTAGRAM),
    Provider.X: (Channel.X,),
    Provider.MASTODON: (Channel.MASTODON,),
    Provider.BLUESKY: (Channel.BLUESKY,),
    Provider.YOUTUBE: (Channel.YOUTUBE,),
    Provider.CHAT: (Channel.CHAT,),
}


class ChannelAccount(models.Model):
    """One of our own identities on a channel (a mailbox, a phone number, a page, a handle) and how to reach it.

    Credentials are either a reference to environment variables (`credentials_ref`, e.g. "env:TWILIO_MAIN") or
    a Fernet token (`encrypted_credentials`) made with CHANNEL_CREDENTIALS_KEY; see channels/credentials.py.
    Neither is ever shown back, logged or put in a repr.
    """

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="channel_accounts",
                               verbose_name=_("agency"))
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=320, blank=True, help_text=_(
        "Our own identifier on the channel: an email address, a phone number, a page id or a handle."))
    credentials_ref = models.CharField(_("credentials reference"), max_length=200, blank=True, help_text=_(
        'Read credentials from the environment: "env:PREFIX" uses every variable PREFIX_NAME as the credential '
        "name (e.g. env:TWILIO_MAIN reads TWILIO_MAIN_AUTH_TOKEN as auth_token)."))
    encrypted_credentials = models.TextField(_("encrypted credentials"), blank=True, editable=False)
    cursor = models.JSONField(_("polling cursor"), default=dict, blank=True,
                              help_text=_("Where polling resumes (IMAP UIDs, a since-id, a page token)."))
    is_active = models.BooleanField(_("active"), default=True)
    # Health, written by the background jobs (never the webhook) at most once a minute (channels/actions.py)
    last_inbound_at = models.DateTimeField(_("last inbound"), null=True, blank=True, editable=False)
    last_error_at = models.DateTimeField(_("last error"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error message"), max_length=300, blank=True, editable=False)
    # Rate limits and quota, as the provider last reported them (channels/limits.py); paused: no call until then
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True, editable=False)
    limits = models.JSONField(_("rate limits and quota"), default=dict, blank=True, editable=False)
    # A provider whose terms require a contract for government use (X: an Enterprise plan): who confirmed it, when
    contract_confirmed_at = models.DateTimeField(_("contract confirmed"), null=True, blank=True, editable=False)
    contract_confirmed_by = models.CharField(_("contract confirmed by"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["channel", "provider", "address"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "address"], condition=~Q(address=""),
                                    name="channel_account_unique_provider_address"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.address or f"{self.provider} #{self.pk}"

    def __repr__(self) -> str:  # never the credentials
        return f"<ChannelAccount {self.pk} {self.provider}:{self.channel}>"

    @property
    def has_stored_credentials(self) -> bool:
        return bool(self.encrypted_credentials)

    def credentials(self) -> dict[str, str]:
        """The decrypted credentials (environment by reference over stored); raises credentials.CredentialsError."""
        return credentials.resolve(self.credentials_ref, self.encrypted_credentials)

    @property
    def is_demo(self) -> bool:
        """One of the demo city's accounts: nothing is sent, polled or streamed for it (channels simulate plays it)."""
        try:
            return bool(self.credentials().get(credentials.DEMO_OUTBOX))
        except credentials.CredentialsError:
            return False

    def set_credentials(self, values: dict[str, str]) -> None:
        """Encrypt and keep `values` (not saved until save()); an empty dict clears the stored credentials."""
        self.encrypted_credentials = credentials.encrypt(values)


class RejectionReason(models.TextChoices):
    MISSING_SIGNATURE = "missing_signature", _("Signature header missing")
    BAD_SIGNATURE = "bad_signature", _("Signature does not match")
    BAD_CHALLENGE = "bad_challenge", _("Verification challenge did not match")
    TOO_LARGE = "too_large", _("Body over the size limit")


class WebhookRejection(models.Model):
    """How often an account's webhook refused requests, per reason (no body, no headers: nothing personal)."""

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="webhook_rejections",
                                verbose_name=_("account"))
    reason = models.CharField(_("reason"), max_length=30, choices=RejectionReason.choices)
    count = models.PositiveIntegerField(_("count"), default=0)
    first_at = models.DateTimeField(_("first"))
    last_at = models.DateTimeField(_("last"))

    class Meta:
        verbose_name = _("webhook rejection")
        verbose_name_plural = _("webhook rejections")
        ordering = ["-last_at"]
        constraints = [models.UniqueConstraint(fields=["account", "reason"], name="webhook_rejection_per_reason")]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.reason} x{self.count}"
