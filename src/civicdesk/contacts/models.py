"""One record per person or organisation, with every identity they reach us through."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ContactKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    BUSINESS = "business", _("Business")
    AGENCY_STAFF = "agency_staff", _("Staff of another agency")
    PARTNER = "partner", _("Partner organisation")


class Contact(models.Model):
    kind = models.CharField(max_length=20, choices=ContactKind.choices, default=ContactKind.RESIDENT)
    display_name = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    language = models.CharField(
        max_length=10, blank=True,
        help_text="The language the person last used with us (a LANGUAGES code such as en or es); mail and replies "
                  "to them are written in it. Empty: the site's default language.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name", "id"]
        indexes = [
            models.Index(fields=["display_name", "id"], name="contact_name_order"),  # the directory's order
            models.Index(Lower("display_name"), name="contact_name_lower"),  # duplicates by name
        ]

    def __str__(self) -> str:
        return self.display_name or f"Contact {self.pk}"

    @property
    def label(self) -> str:
        """What staff call the contact: the name, else an email address, else a phone number, else another
        identity (the handle a network shows, not its stable id); never an internal number. Reads
        identities.all(), so a prefetch serves a whole list."""
        if self.display_name:
            return self.display_name
        order: dict[str, int] = {IdentityKind.EMAIL: 0, IdentityKind.PHONE: 1}
        identities = sorted(self.identities.all(), key=lambda i: (order.get(i.kind, 2), i.pk))
        return (identities[0].display or identities[0].value) if identities else str(_("Unknown contact"))

    @property
    def email(self) -> str:
        """The contact's first email address, or the empty string."""
        for identity in self.identities.all():
            if identity.kind == IdentityKind.EMAIL:
                return identity.value
        return ""


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone (E.164)")
    X = "x", _("X handle")
    FACEBOOK = "facebook", _("Facebook id")
    INSTAGRAM = "instagram", _("Instagram id")
    MASTODON = "mastodon", _("Mastodon account")
    BLUESKY = "bluesky", _("Bluesky handle")
    YOUTUBE = "youtube", _("YouTube channel")
    OPEN311_ACCOUNT = "open311_account", _("Open311 account or device id")


class Identity(models.Model):
    """An address we can recognise a contact by: normalised so the same person matches across messages."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=320, help_text="Normalised: lower-case email, E.164 phone, @handle.")
    display = models.CharField(
        max_length=200, blank=True,
        help_text="On a social network: the handle or name it shows (handles change); `value` is then the "
                  "platform's stable id (user id, DID, page-scoped id).")
    created_at = models.DateTimeField(auto_now_add=True)
    opted_out_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person asked for no more messages here (STOP); empty: may send.")

    class Meta:
        verbose_name_plural = "identities"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="identity_unique_kind_value")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def label(self) -> str:
        """For people: the platform's current display (a handle) when the value is a stable id, else the value."""
        return self.display or self.value


class ContactMerge(models.Model):
    """A merge of one contact into another, kept so it can be undone."""

    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges_in")
    moved_identity_ids = models.JSONField(default=list)
    moved_case_ids = models.JSONField(default=list)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class ContactNote(models.Model):
    """A note staff keep on a contact (not on one case), shown to every staff member who can see the contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="staff_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["contact", "-created_at"], name="contact_note_latest")]

    def __str__(self) -> str:
        return f"Note {self.pk} on contact {self.contact_id}"
