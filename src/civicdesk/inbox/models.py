"""What the staff side keeps of its own: each staff member's saved inbox views."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """A named set of inbox filters: the inbox's query string in the cases/filters.py vocabulary (see
    inbox.forms.InboxFilterForm.filter_params), kept per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_inbox_views")
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), "user", name="saved_view_unique_name_per_user")]

    def __str__(self) -> str:
        return self.name
