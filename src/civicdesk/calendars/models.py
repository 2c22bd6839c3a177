"""Business calendars: an agency's (or a team's) time zone, weekly open intervals, public holidays and closures."""

from datetime import time
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIDNIGHT = time(0)


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("%(zone)s is not a time zone name (for example America/New_York).") % {"zone": value})


class BusinessCalendar(models.Model):
    """When an agency (or one of its teams, overriding the agency's) is open: business time is counted only then.

    Without a calendar an agency keeps the site's default: Monday to Friday, 08:00 to 17:00 in TIME_ZONE, closed on
    US federal holidays (calendars.queries.DEFAULT)."""

    agency = models.OneToOneField("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="calendar", verbose_name=_("agency"))
    team = models.OneToOneField("agencies.Team", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="calendar", verbose_name=_("team"),
                                help_text=_("Set for a team whose hours differ from its agency's."))
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE,
                                 validators=[validate_time_zone])
    holiday_country = models.CharField(_("holidays of country"), max_length=2, default="US", blank=True,
                                       help_text=_("Public holidays from the holidays package: a country code "
                                                   "(US), or empty for none."))
    holiday_subdivision = models.CharField(_("and of state"), max_length=10, blank=True,
                                           help_text=_("A state's own holidays too, e.g. PA or MD."))
    ical_url = models.URLField(_("closures feed (iCal)"), blank=True, help_text=_(
        "An iCal (.ics) address whose events are closures, read every hour (e.g. the city's published closures)."))
    ical_fetched_at = models.DateTimeField(_("feed last read"), null=True, blank=True, editable=False)
    ical_error = models.CharField(_("feed error"), max_length=300, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [models.CheckConstraint(condition=Q(agency__isnull=False) | Q(team__isnull=False),
                                              name="calendar_of_agency_or_team")]

    def __str__(self) -> str:
        owner = self.team or self.agency
        return str(_("Business calendar of %(owner)s") % {"owner": owner})


class OpenInterval(models.Model):
    """One open period on a weekday, in the calendar's time zone (several a day for a break)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("The time it closes; 00:00 means midnight."))

    class Meta:
        ordering = ["calendar", "weekday", "opens"]
        verbose_name = _("open hours")
        verbose_name_plural = _("open hours")
        constraints = [models.UniqueConstraint(fields=["calendar", "weekday", "opens"],
                                               name="open_interval_unique_start")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.opens is not None and self.closes is not None and self.closes != MIDNIGHT and self.closes <= self.opens:
            raise ValidationError({"closes": _("The closing time must come after the opening time.")})


class ClosureSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    ICAL = "ical", _("Imported from an iCal feed")


class Closure(models.Model):
    """Days the calendar is closed besides public holidays: a snow day, a local holiday, a training day."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(_("name"), max_length=200)
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"), help_text=_("The same as the first day for a single day."))
    source = models.CharField(_("source"), max_length=10, choices=ClosureSource.choices, default=ClosureSource.STAFF)
    uid = models.CharField(_("iCal UID"), max_length=300, blank=True, help_text=_("The event's UID in its feed."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["calendar", "first_day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="closure_days_in_order"),
            models.UniqueConstraint(fields=["calendar", "uid"], condition=~Q(uid=""), name="closure_unique_uid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_day:%Y-%m-%d})"
