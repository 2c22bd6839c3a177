"""`civicdesk metrics-rebuild`: recompute every case's metric events and every daily rollup, e.g. after a bulk load."""

import json
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from civicdesk.metrics.actions import calendar_fingerprints, rebuild_all
from civicdesk.metrics.models import FiguresState


class Command(BaseCommand):
    help = "Recompute the precomputed metric figures of every case from the case timelines."

    def handle(self, *args: Any, **options: Any) -> None:
        started = timezone.now()
        count = rebuild_all()
        FiguresState.objects.update_or_create(pk=1, defaults={"checked_at": started,
                                                              "calendars": json.dumps(calendar_fingerprints())})
        self.stdout.write(self.style.SUCCESS(f"Recomputed the figures of {count} cases."))
