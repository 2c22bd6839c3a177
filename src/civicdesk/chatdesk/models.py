"""What the staff side of live chat keeps: whether each agent is taking chats."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChatAvailability(models.Model):
    """An agent's own choice to take live chats. They count as available while it is on and their desk is open
    (notifications.DeskPresence, written by every open staff page); the portal's widget reads it to say whether
    anyone of the chosen agency can answer now."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="chat_availability")
    available = models.BooleanField(_("available for chat"), default=False)
    changed_at = models.DateTimeField(_("changed"))

    class Meta:
        verbose_name = _("chat availability")
        verbose_name_plural = _("chat availability")

    def __str__(self) -> str:
        return f"{self.user_id}: {'available' if self.available else 'away'}"
