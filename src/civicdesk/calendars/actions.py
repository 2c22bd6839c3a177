"""Changes to business calendars: the calendar itself, its weekly hours, closures by hand or from an iCal feed.

Every change is in the agency's audit trail (who, what, when)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar as ICalendar

from civicdesk.agencies.models import Agency, Team
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.calendars.models import BusinessCalendar, Closure, ClosureSource, OpenInterval

MAX_CLOSURE_DAYS = 366


class CalendarError(ValueError):
    """A change that cannot be made, with the reason for people."""


def _audit(calendar: BusinessCalendar, actor: Any, *, before: dict[str, Any], after: dict[str, Any]) -> None:
    owner = {"agency": calendar.agency.slug} if calendar.agency is not None else {"team": str(calendar.team)}
    record(AuditAction.AGENCY_CHANGED, actor=actor, actor_label="" if actor else "calendar feed",
           before={**owner, "calendar": calendar.pk, **before}, after={**owner, "calendar": calendar.pk, **after})


@transaction.atomic
def calendar_of(*, agency: Agency | None = None, team: Team | None = None) -> BusinessCalendar:
    """The agency's (or team's) own calendar, made on first use from the default week."""
    if (agency is None) == (team is None):
        raise CalendarError(_("A calendar belongs to an agency or to a team."))
    found, created = BusinessCalendar.objects.get_or_create(agency=agency, team=team)
    if created:
        OpenInterval.objects.bulk_create([OpenInterval(calendar=found, weekday=day, opens=time(8), closes=time(17))
                                          for day in range(5)])
    return found


@transaction.atomic
def set_hours(calendar: BusinessCalendar, week: list[list[tuple[time, time]]], *, actor: Any) -> None:
    """Replace the weekly hours: `week` has 7 lists (Monday first) of (opens, closes), closes 00:00 = midnight."""
    for periods in week:
        for opens, closes in periods:
            if closes != time(0) and closes <= opens:
                raise CalendarError(_("The closing time must come after the opening time."))
    before = [str(i) for i in calendar.intervals.all()]
    calendar.intervals.all().delete()
    OpenInterval.objects.bulk_create([OpenInterval(calendar=calendar, weekday=day, opens=opens, closes=closes)
                                      for day, periods in enumerate(week) for opens, closes in periods])
    _audit(calendar, actor, before={"hours": before}, after={"hours": [str(i) for i in calendar.intervals.all()]})


@transaction.atomic
def add_closure(calendar: BusinessCalendar, *, name: str, first_day: date, last_day: date | None = None,
                actor: Any) -> Closure:
    """A day (or days) the calendar is closed: a snow day. Business clocks do not run then."""
    last_day = last_day or first_day
    name = name.strip()
    if not name:
        raise CalendarError(_("Give the closure a name, e.g. Snow day."))
    if last_day < first_day:
        raise CalendarError(_("The last day must not come before the first day."))
    if (last_day - first_day).days >= MAX_CLOSURE_DAYS:
        raise CalendarError(_("A closure can last at most a year."))
    closure = Closure.objects.create(calendar=calendar, name=name[:200], first_day=first_day, last_day=last_day)
    _audit(calendar, actor, before={}, after={"closure": str(closure), "last_day": last_day.isoformat()})
    return closure


@transaction.atomic
def remove_closure(closure: Closure, *, actor: Any) -> None:
    calendar = closure.calendar
    _audit(calendar, actor, before={"closure": str(closure)}, after={})
    closure.delete()


def _day(value: Any) -> date:
    moment = value.dt
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def read_ical(data: bytes) -> list[tuple[str, str, date, date]]:
    """The all-day closures in an iCal document: (uid, name, first day, last day). DTEND is exclusive for dates."""
    try:
        parsed = ICalendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as exc:
        raise CalendarError(_("This is not an iCal (.ics) file: %(error)s") % {"error": str(exc)[:200]}) from None
    found = []
    for event in parsed.walk("VEVENT"):
        if "DTSTART" not in event:
            continue
        first = _day(event["DTSTART"])
        if "DTEND" in event:
            end = event["DTEND"]
            last = _day(end) - timedelta(days=1) if not isinstance(end.dt, datetime) else _day(end)
        else:
            last = first
        uid = str(event.get("UID", "")) or f"{first.isoformat()}:{event.get('SUMMARY', '')}"
        found.append((uid[:300], str(event.get("SUMMARY", "")) or _("Closed"), first, max(first, last)))
    return found


@transaction.atomic
def import_ical(calendar: BusinessCalendar, data: bytes, *, actor: Any = None) -> tuple[int, int, int]:
    """Make the calendar's imported closures match the iCal document (by UID): returns (added, changed, removed).
    Closures entered by staff are left alone."""
    events = read_ical(data)
    existing = {c.uid: c for c in calendar.closures.filter(source=ClosureSource.ICAL)}
    added = changed = 0
    for uid, name, first, last in events:
        closure = existing.pop(uid, None)
        if closure is None:
            Closure.objects.create(calendar=calendar, name=name[:200], first_day=first, last_day=last,
                                   source=ClosureSource.ICAL, uid=uid)
            added += 1
        elif (closure.name, closure.first_day, closure.last_day) != (name[:200], first, last):
            closure.name, closure.first_day, closure.last_day = name[:200], first, last
            closure.save(update_fields=["name", "first_day", "last_day"])
            changed += 1
    removed = len(existing)
    Closure.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    if added or changed or removed:
        _audit(calendar, actor, before={}, after={"ical": {"added": added, "changed": changed, "removed": removed}})
    BusinessCalendar.objects.filter(pk=calendar.pk).update(ical_fetched_at=timezone.now(), ical_error="")
    return added, changed, removed


@transaction.atomic
def set_feed(calendar: BusinessCalendar, url: str, *, actor: Any) -> None:
    """The iCal feed whose events are the calendar's closures ("" stops reading one)."""
    before = calendar.ical_url
    calendar.ical_url = url
    calendar.save(update_fields=["ical_url", "updated_at"])
    _audit(calendar, actor, before={"ical_url": before}, after={"ical_url": url})


def note_feed_error(calendar_id: int, error: str) -> None:
    BusinessCalendar.objects.filter(pk=calendar_id).update(ical_fetched_at=timezone.now(), ical_error=error[:300])
