"""What the staff side keeps of its own: saved inbox views, and who has a case page open (presence)."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of inbox filters: the inbox's query string in the cases/filters.py vocabulary (see
    inbox.filter_forms.InboxFilterForm.filter_params), kept per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_inbox_views")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), "user", name="saved_view_unique_name_per_user")]

    def __str__(self) -> str:
        return self.name


class PresenceState(models.TextChoices):
    """What a staff member is doing on a case page, as their browser last said."""

    VIEWING = "viewing", _("viewing")
    REPLYING = "replying", _("replying")
    NOTING = "noting", _("writing an internal note")
    GONE = "gone", _("left the page")  # kept until it expires, so a heartbeat still in flight cannot bring it back


class CasePresence(models.Model):
    """One open case page (a browser tab) of a staff member, kept while its heartbeats arrive.

    Shared by every web process through the database; a row is stale once `expires_at` passes (the tab closed
    without saying so) and is deleted by the next heartbeat of anyone.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tab = models.CharField(max_length=40, help_text="A random id the page picks, so two tabs are two rows.")
    state = models.CharField(max_length=10, choices=PresenceState.choices, default=PresenceState.VIEWING)
    seen_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user", "tab"], name="case_presence_once_per_tab")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.case_id}"
