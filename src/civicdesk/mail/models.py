"""Agency mailboxes: the addresses residents write to, and how we fetch and send their mail."""

from django.db import models


class Mailbox(models.Model):
    address = models.EmailField(unique=True, help_text="Mail to this address becomes cases.")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="mailboxes")
    display_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    imap_host = models.CharField(max_length=200, blank=True, help_text="Leave empty to receive by SMTP only.")
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=200, blank=True)
    imap_password = models.CharField(max_length=200, blank=True)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    imap_last_uid = models.PositiveBigIntegerField(default=0)
    imap_uidvalidity = models.PositiveBigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address


class NoticeKind(models.TextChoices):
    OVERSIZE = "oversize", "Email over the attachment limit"


class SenderNotice(models.Model):
    """The last automatic notice of a kind sent to one address: the database holds the rate limit for every process."""

    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    address = models.CharField(max_length=320, help_text="Normalised: lower-case email.")
    last_sent_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "address"], name="sender_notice_once_per_address")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.address}"
