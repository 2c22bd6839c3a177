"""The Calendars page of supervisors: each agency's business hours, the holidays it observes, and its closures (a snow
day entered here, or imported from an iCal file or feed). Business clocks (response and resolution times, SLA due
times) run only while the calendar is open. Site administrators see every agency; supervisors their own."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies.models import Agency
from civicdesk.calendars import actions
from civicdesk.calendars.models import Closure
from civicdesk.calendars.queries import calendar_for, default_schedule, holidays_in, schedule_of, upcoming_closures
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.calendar_forms import ClosureForm, HoursForm, IcalForm
from civicdesk.inbox.channel_views import managed_agencies
from civicdesk.inbox.staff_queries import require_supervisor

MAX_ICS_BYTES = 2 * 1024 * 1024


def agency_or_404(user: Any, pk: int) -> Agency:
    found = managed_agencies(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such agency.")
    return found


def _back(agency: Agency) -> HttpResponse:
    return redirect(reverse("inbox:calendars") + f"#agency-{agency.pk}")


def _section(agency: Agency, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    calendar = calendar_for(agency.pk)
    schedule = schedule_of(calendar) if calendar is not None else default_schedule()
    today = timezone.localdate()
    forms = forms or {}
    return {"agency": agency, "calendar": calendar, "zone": schedule.zone,
            "hours_form": forms.get("hours") or HoursForm(week=[list(day) for day in schedule.week],
                                                          auto_id=f"a{agency.pk}-%s"),
            "closure_form": forms.get("closure") or ClosureForm(auto_id=f"c{agency.pk}-%s"),
            "ical_form": forms.get("ical") or IcalForm(auto_id=f"i{agency.pk}-%s",
                                                       initial={"url": calendar.ical_url if calendar else ""}),
            "holidays": [(day, name) for day, name in holidays_in(calendar, today.year) if day >= today][:12],
            "closures": upcoming_closures(calendar, today) if calendar is not None else []}


def _page(request: HttpRequest, failed: Agency | None = None, forms: dict[str, Any] | None = None) -> HttpResponse:
    sections = [_section(a, forms if failed is not None and a.pk == failed.pk else None)
                for a in managed_agencies(request.user)]
    return render(request, "inbox/calendars.html", {"nav": "calendars", "sections": sections},
                  status=400 if failed is not None else 200)


@staff_required
@require_GET
def calendar_list(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    return _page(request)


@staff_required
@require_POST
def calendar_hours(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)  # another agency's (or, for an agent, any) is not there
    require_supervisor(request.user)
    form = HoursForm(request.POST, auto_id=f"a{agency.pk}-%s")
    if not form.is_valid():
        return _page(request, agency, {"hours": form})
    try:
        actions.set_hours(actions.calendar_of(agency=agency), form.week(), actor=request.user)
    except actions.CalendarError as exc:
        form.add_error(None, str(exc))
        return _page(request, agency, {"hours": form})
    messages.success(request, _("The business hours of %(agency)s are saved.") % {"agency": agency.name})
    return _back(agency)


@staff_required
@require_POST
def calendar_closure(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)  # another agency's (or, for an agent, any) is not there
    require_supervisor(request.user)
    form = ClosureForm(request.POST, auto_id=f"c{agency.pk}-%s")
    if not form.is_valid():
        return _page(request, agency, {"closure": form})
    data = form.cleaned_data
    try:
        closure = actions.add_closure(actions.calendar_of(agency=agency), name=data["name"],
                                      first_day=data["first_day"], last_day=data.get("last_day"), actor=request.user)
    except actions.CalendarError as exc:
        form.add_error(None, str(exc))
        return _page(request, agency, {"closure": form})
    messages.success(request, _("%(agency)s is closed on %(closure)s: business clocks stop that day.")
                     % {"agency": agency.name, "closure": closure})
    return _back(agency)


@staff_required
@require_POST
def calendar_closure_remove(request: HttpRequest, agency_pk: int, pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)  # another agency's (or, for an agent, any) is not there
    require_supervisor(request.user)
    closure = Closure.objects.filter(pk=pk, calendar__agency=agency).first()
    if closure is None:
        raise Http404("No such closure.")
    actions.remove_closure(closure, actor=request.user)
    messages.success(request, _("The closure %(closure)s is removed.") % {"closure": closure})
    return _back(agency)


@staff_required
@require_POST
def calendar_ical(request: HttpRequest, agency_pk: int) -> HttpResponse:
    agency = agency_or_404(request.user, agency_pk)  # another agency's (or, for an agent, any) is not there
    require_supervisor(request.user)
    form = IcalForm(request.POST, request.FILES, auto_id=f"i{agency.pk}-%s")
    if not form.is_valid():
        return _page(request, agency, {"ical": form})
    calendar = actions.calendar_of(agency=agency)
    upload, url = form.cleaned_data.get("file"), form.cleaned_data.get("url") or ""
    if upload is None and not url and not calendar.ical_url:
        form.add_error(None, _("Choose an .ics file or give a feed address."))
        return _page(request, agency, {"ical": form})
    if url != calendar.ical_url:
        actions.set_feed(calendar, url, actor=request.user)
    if upload is not None:
        if upload.size > MAX_ICS_BYTES:
            form.add_error("file", _("The file is larger than 2 MB."))
            return _page(request, agency, {"ical": form})
        try:
            added, changed, removed = actions.import_ical(calendar, upload.read(), actor=request.user)
        except actions.CalendarError as exc:
            form.add_error("file", str(exc))
            return _page(request, agency, {"ical": form})
        messages.success(request, _("Imported the closures: %(added)s added, %(changed)s changed, %(removed)s "
                                    "removed.") % {"added": added, "changed": changed, "removed": removed})
    elif url:
        messages.success(request, _("The feed is saved; it is read within the hour."))
    return _back(agency)
