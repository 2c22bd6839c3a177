"""Precomputed metric events (one row per counted event of a case) and their daily rollups; docs/metrics.md defines
every figure. Both are derived data: metrics.actions rebuilds them from the case timeline, never the other way."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MetricKind(models.TextChoices):
    """What a MetricEvent counts; the kinds with a duration carry it in calendar and business seconds."""

    CREATED = "created", _("Created")
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLVED = "resolved", _("Resolved (time from creation)")
    RESOLVED_SINCE_REOPEN = "resolved_since_reopen", _("Resolved (time from the last reopen)")
    REOPENED = "reopened", _("Reopened")
    FIRST_CONTACT = "first_contact", _("Resolved at first contact")

    @classmethod
    def timed(cls) -> list[str]:
        return [cls.FIRST_RESPONSE, cls.NEXT_RESPONSE, cls.RESOLVED, cls.RESOLVED_SINCE_REOPEN]


class Dimension(models.TextChoices):
    """What figures are grouped by: a case's current agency, team, assignee, service or channel, or the area (of
    the dashboard's type) that holds its point."""

    AGENCY = "agency", _("Agency")
    TEAM = "team", _("Team")
    AGENT = "agent", _("Agent")
    SERVICE = "service", _("Service")
    CHANNEL = "channel", _("Channel")
    AREA = "area", _("Area")


class Hours(models.TextChoices):
    CALENDAR = "calendar", _("Calendar hours")
    BUSINESS = "business", _("Business hours")


class MetricEvent(models.Model):
    """One counted event of a case on the local day it happened, with the case's current owner and channel
    (denormalised so that figures need no join). Rebuilt whole for a case whenever the case changes."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=24, choices=MetricKind.choices)
    at = models.DateTimeField()
    day = models.DateField(help_text=_("The day of `at` in the time zone of the case's business calendar."))
    calendar_seconds = models.FloatField(null=True)
    business_seconds = models.FloatField(null=True)
    agency_id = models.IntegerField()
    team_id = models.IntegerField(null=True)
    assignee_id = models.IntegerField(null=True)
    service_id = models.IntegerField(null=True)
    channel = models.CharField(max_length=20)
    area_id = models.IntegerField(null=True, help_text=_("The area of the dashboard's type holding the case's point."))

    class Meta:
        indexes = [models.Index(fields=["case"], name="metric_event_case"),
                   models.Index(fields=["day", "agency_id", "kind"], name="metric_event_day_agency")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}:{self.day}"


class CaseArea(models.Model):
    """The area a case's figures count in (metrics.areas), beside its events: SLA and satisfaction figures per area
    join it, as they join the case for its agency or service."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="metric_area")
    area_id = models.IntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.case_id}:{self.area_id}"


class DailyRollup(models.Model):
    """The events of one kind on one day in one agency, for one group of a dimension: how many, and their durations
    sorted ascending as packed little-endian doubles (exact medians and percentiles from a year of days)."""

    day = models.DateField()
    agency_id = models.IntegerField()
    kind = models.CharField(max_length=24, choices=MetricKind.choices)
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=40, help_text=_("The group: an id, a channel, or empty for none."))
    n = models.IntegerField()
    calendar_values = models.BinaryField(default=b"")
    business_values = models.BinaryField(default=b"")

    class Meta:
        indexes = [models.Index(fields=["dimension", "day", "agency_id"], name="metric_rollup_dimension_day"),
                   models.Index(fields=["day", "agency_id", "kind"], name="metric_rollup_cell")]

    def __str__(self) -> str:
        return f"{self.day}:{self.agency_id}:{self.kind}:{self.dimension}={self.key}"


class FiguresState(models.Model):
    """The one row of the catch-up task: when it last looked for changed cases, and the calendars it used."""

    checked_at = models.DateTimeField(null=True)
    calendars = models.TextField(blank=True, help_text=_("A fingerprint of every business calendar, by agency."))
