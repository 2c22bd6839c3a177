"""The demo city's response and resolution targets: one standard policy per agency (first response within one
business day, each next response within one business day, resolution within five) and a shorter one for urgent
cases; the demo cases get their targets from their own dates (slas.backfill)."""

from django.utils import timezone

from civicdesk.agencies.models import Agency
from civicdesk.cases.models import Case, Priority
from civicdesk.slas.backfill import backfill_targets
from civicdesk.slas.models import Hours, SlaPolicy

BUSINESS_DAY = 9 * 3600  # the demo calendars: 08:00 to 17:00


def seed_targets(agencies: dict[str, Agency]) -> int:
    """The policies (once per agency) and the demo cases' targets; the number of targets made."""
    now = timezone.now()
    for agency in agencies.values():
        if SlaPolicy.objects.filter(agency=agency).exists():
            continue
        SlaPolicy.objects.create(agency=agency, name="Standard", first_response_seconds=BUSINESS_DAY,
                                 next_response_seconds=BUSINESS_DAY, resolution_seconds=5 * BUSINESS_DAY,
                                 hours=Hours.BUSINESS, warn_percent=80, created_at=now, updated_at=now)
        SlaPolicy.objects.create(agency=agency, name="Urgent", priority=Priority.URGENT,
                                 first_response_seconds=2 * 3600, next_response_seconds=2 * 3600,
                                 resolution_seconds=BUSINESS_DAY, hours=Hours.CALENDAR, warn_percent=75,
                                 escalate_unassign=False, escalate_priority=False, created_at=now, updated_at=now)
    return backfill_targets(Case.objects.filter(agency__in=agencies.values()))
