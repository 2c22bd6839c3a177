"""Precomputed public figures: one row per period (a month, or the last twelve months) and grouping."""

from django.db import models


class Grouping(models.TextChoices):
    AGENCY = "agency", "Agency"
    SERVICE = "service", "Service"


class PublishedFigures(models.Model):
    """What the scorecard shows for one period, from metrics.queries.agency_figures in calendar time.

    `period` is a month ("2026-11") or LAST_YEAR; `groups` maps each agency slug or service code to its figures
    (see scorecard/figures.py). A finished month's row only changes when it is recomputed (events count on the day
    they happened, so a past month's figures stand); the current month and the year are refreshed every run."""

    LAST_YEAR = "12m"

    period = models.CharField(max_length=7)
    grouping = models.CharField(max_length=10, choices=Grouping.choices)
    computed_at = models.DateTimeField()
    groups = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "grouping"], name="scorecard_period_grouping")]

    def __str__(self) -> str:
        return f"{self.period} by {self.grouping}"
