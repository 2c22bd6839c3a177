"""Which logins the demo seeding created, so `civicdesk remove-demo-staff` never touches real staff."""

from django.conf import settings
from django.db import models


class DemoAccount(models.Model):
    """A staff login created by seed-demo with the published password 'demo'."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="demo_account")
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True, help_text="When remove-demo-staff deactivated it.")

    def __str__(self) -> str:
        return f"demo login {self.user.get_username()}"
