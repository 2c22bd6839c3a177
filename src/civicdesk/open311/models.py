"""Open311 data: client API keys, batch tokens, request details, and external endpoints we forward cases to."""

import hashlib

from django.conf import settings
from django.db import models


def hash_key(raw_key: str) -> str:
    """Keys are random 256-bit strings, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKey(models.Model):
    """One client application's key: only the hash is stored; the key itself is shown once, at creation."""

    app_name = models.CharField(max_length=120, help_text="Recorded as the source of every case it posts.")
    prefix = models.CharField(max_length=12, help_text="First characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit = models.PositiveIntegerField(default=600, help_text="POST requests allowed per minute.")
    is_revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    contact = models.CharField(max_length=200, blank=True, help_text="Who runs the application (not shown publicly).")

    class Meta:
        ordering = ["app_name", "id"]
        verbose_name = "Open311 API key"

    def __str__(self) -> str:
        return f"{self.app_name} ({self.prefix}…){' revoked' if self.is_revoked else ''}"


class BatchToken(models.Model):
    """A POST to a batch service: the token the client polls until the queued payload has become a case."""

    token = models.CharField(max_length=64, unique=True)
    payload = models.OneToOneField("channels.InboundPayload", on_delete=models.CASCADE, related_name="open311_token")
    api_key = models.ForeignKey(ApiKey, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.token


class RequestDetail(models.Model):
    """Open311 fields a case has no column for: address_id, media_url, device and account ids."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="open311")
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address_id = models.CharField(max_length=200, blank=True)
    media_url = models.URLField(max_length=1000, blank=True)
    device_id = models.CharField(max_length=200, blank=True)
    account_id = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Open311 details of case {self.case_id}"


class EndpointFormat(models.TextChoices):
    XML = "xml", "XML"
    JSON = "json", "JSON"


class ExternalEndpoint(models.Model):
    """Another jurisdiction's GeoReport v2 server that agents can hand cases to."""

    name = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=500, help_text="Base URL, e.g. https://city.example/open311/v2/")
    api_key = models.CharField(max_length=300, blank=True)
    jurisdiction_id = models.CharField(max_length=200, blank=True)
    format = models.CharField(max_length=4, choices=EndpointFormat.choices, default=EndpointFormat.XML)
    supports_updates = models.BooleanField(
        default=False, help_text="Offers FixMyStreet's GET servicerequestupdates.xml; else we poll GET requests.")
    share_contact_details = models.BooleanField(
        default=False, help_text="Send the resident's name, email and phone with forwarded cases.")
    is_active = models.BooleanField(default=True)
    timeout_seconds = models.PositiveSmallIntegerField(default=20)
    last_pulled_at = models.DateTimeField(null=True, blank=True)
    last_pull_error = models.TextField(blank=True, help_text="Why the last pull of their updates failed, if it did.")
    last_pull_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "external Open311 endpoint"

    def __str__(self) -> str:
        return self.name


class ServiceMapping(models.Model):
    """Which of their services one of ours becomes when forwarded, with optional fixed attribute answers."""

    endpoint = models.ForeignKey(ExternalEndpoint, on_delete=models.CASCADE, related_name="mappings")
    service = models.ForeignKey("agencies.Service", on_delete=models.CASCADE, related_name="+")
    remote_service_code = models.CharField(max_length=200)
    remote_attributes = models.JSONField(default=dict, blank=True, help_text='Fixed answers: {"code": "value"}.')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "service"], name="open311_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.service.code} → {self.endpoint.name}:{self.remote_service_code}"


class ForwardState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    RETRYING = "retrying", "Sending failed; will retry"
    AWAITING_ID = "awaiting_id", "Sent; waiting for their id (batch token)"
    SENT = "sent", "Accepted; following their updates"
    CLOSED = "closed", "Closed on their side"
    FAILED = "failed", "Failed"


class ForwardedCase(models.Model):
    """A case handed to an external endpoint, with their id and what we last saw of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="open311_forwards")
    endpoint = models.ForeignKey(ExternalEndpoint, on_delete=models.PROTECT, related_name="forwards")
    forwarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    state = models.CharField(max_length=20, choices=ForwardState.choices, default=ForwardState.PENDING)
    remote_token = models.CharField(max_length=200, blank=True)
    remote_id = models.CharField(max_length=200, blank=True, db_index=True)
    remote_status = models.CharField(max_length=40, blank=True)
    remote_notes = models.TextField(blank=True)
    remote_updated = models.CharField(max_length=40, blank=True, help_text="Their updated_datetime, as sent.")
    seen_update_ids = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="open311_forward_state")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.endpoint_id} ({self.state})"
