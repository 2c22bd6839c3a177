"""`civicdesk remove-demo-staff`: deactivate every staff login seed-demo created (password 'demo')."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicdesk.demo.actions import remove_demo_staff


class Command(BaseCommand):
    help = ("Deactivate every staff login the demo seeding created: no password, no admin rights, sessions and API "
            "tokens stop working. Real staff are never touched; the names stay on case histories.")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_demo_staff()
        count = len(removed.usernames)
        self.stdout.write(self.style.SUCCESS(ngettext(
            "Removed %(count)d demo staff login", "Removed %(count)d demo staff logins", count) % {"count": count})
            + (f": {', '.join(removed.usernames)}" if count else "."))
        if removed.admins_left == 0:
            self.stdout.write(self.style.WARNING(_(
                "No active administrator is left: create one with `civicdesk createsuperuser`.")))
