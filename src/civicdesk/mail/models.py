"""Agency mailboxes: the addresses residents write to, and how we fetch and send their mail."""

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from civicdesk.channels.models import Channel, ChannelAccount, Provider

if TYPE_CHECKING:
    from civicdesk.agencies.models import Agency

# What an email account keeps in its ChannelAccount rather than here.
ACCOUNT_FIELDS = ("address", "agency", "agency_id", "display_name", "is_active")


class MailboxQuerySet(models.QuerySet["Mailbox"]):
    def create(self, **kwargs: Any) -> "Mailbox":
        """Mailbox.objects.create(address=..., agency=..., [display_name, is_active, imap_password], imap...):
        the email account is made with it (the form every test and the admin use)."""
        if "account" in kwargs or "account_id" in kwargs:
            return super().create(**kwargs)
        account_values = {name: kwargs.pop(name) for name in ACCOUNT_FIELDS if name in kwargs}
        password = kwargs.pop("imap_password", "")
        with transaction.atomic(using=self.db):
            account = ChannelAccount(channel=Channel.EMAIL, provider=Provider.EMAIL, **account_values)
            if password:
                account.set_credentials({"password": password})
            account.save(using=self.db)
            return super().create(account=account, **kwargs)


class Mailbox(models.Model):
    """The email detail of a ChannelAccount: how its mail is fetched. The account holds the address, agency,
    display name, active flag, the IMAP password (encrypted) and the IMAP cursor (uidvalidity and last UID)."""

    account = models.OneToOneField("channels.ChannelAccount", on_delete=models.CASCADE, related_name="mailbox")
    imap_host = models.CharField(max_length=200, blank=True, help_text="Leave empty to receive by SMTP only.")
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField(default=True)
    imap_username = models.CharField(max_length=200, blank=True)
    imap_folder = models.CharField(max_length=200, default="INBOX")
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = MailboxQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"<Mailbox {self.pk} account={self.account_id}>"

    # The account's facts, read where mail code always read them.
    @property
    def address(self) -> str:
        return self.account.address

    @property
    def agency(self) -> "Agency":
        return self.account.agency

    @property
    def agency_id(self) -> int:
        return self.account.agency_id

    @property
    def display_name(self) -> str:
        return self.account.display_name

    @property
    def is_active(self) -> bool:
        return self.account.is_active

    @property
    def imap_password(self) -> str:
        return self.account.credentials().get("password", "")

    @property
    def imap_uidvalidity(self) -> int:
        return int(self.account.cursor.get("imap_uidvalidity", 0))

    @property
    def imap_last_uid(self) -> int:
        return int(self.account.cursor.get("imap_last_uid", 0))


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


class CapturedEmail(models.Model):
    """An email the built-in outbox kept instead of sending (no EMAIL_HOST is set): readable by staff, sent to no one.

    `raw` is the whole message as it would have gone out (headers and body); the other fields are read from it for
    the staff list. `case` is the case the email is about (found by its Message-ID), which scopes who may read it.
    """

    captured_at = models.DateTimeField(db_index=True)
    sender = models.CharField(max_length=400, blank=True)
    recipients = models.TextField(blank=True, help_text="Every To, Cc and Bcc address, comma-separated.")
    subject = models.CharField(max_length=1000, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    text = models.TextField(blank=True, help_text="The plain-text body.")
    raw = models.TextField(help_text="The full message: headers and body, as it would have been sent.")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "captured email"
        ordering = ["-captured_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipients}"
