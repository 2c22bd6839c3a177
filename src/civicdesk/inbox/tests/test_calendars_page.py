"""The Calendars page: supervisors set their agencies' weekly hours, add and remove a snow day, import closures from
an iCal file; agents are refused; another agency's calendar is not there; bad input gets a clear answer."""

from datetime import date, time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.calendars.models import BusinessCalendar, Closure, ClosureSource
from civicdesk.calendars.queries import schedule_for
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_agency, create_staff

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Riverbend//Closures//EN
BEGIN:VEVENT
UID:snow-2027-01-12@riverbend.example
DTSTART;VALUE=DATE:20270112
DTEND;VALUE=DATE:20270113
SUMMARY:Snow day
END:VEVENT
BEGIN:VEVENT
UID:training-2027-02@riverbend.example
DTSTART;VALUE=DATE:20270215
DTEND;VALUE=DATE:20270217
SUMMARY:Staff training
END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def sup(world):
    return client_for(world.supervisor)


def test_a_supervisor_sees_each_of_their_agencies_and_the_holidays_ahead(sup, world):
    page = sup.get("/staff/calendars/")
    assert page.status_code == 200
    text = page.content.decode()
    assert world.works.name in text and world.parks.name in text
    assert "Monday to Friday, 08:00 to 17:00" in text
    assert 'value="08:00-17:00"' in text


def test_an_agent_is_refused(works_client):
    assert works_client.get("/staff/calendars/").status_code == 403


def test_hours_with_a_break_are_saved_and_audited(sup, world):
    response = sup.post(f"/staff/calendars/{world.works.pk}/hours/",
                        {"day0": "08:00-12:00, 13:00-17:00", "day5": "09:00-24:00"})
    assert response.status_code == 302
    schedule = schedule_for(world.works.pk)
    assert schedule.week[0] == ((time(8), time(12)), (time(13), time(17)))
    assert schedule.week[5] == ((time(9), time(0)),) and schedule.week[1] == ()
    assert AuditEntry.objects.filter(action=AuditAction.AGENCY_CHANGED, actor=world.supervisor).exists()


def test_hours_that_make_no_sense_get_a_clear_error(sup, world):
    response = sup.post(f"/staff/calendars/{world.works.pk}/hours/", {"day0": "17:00-08:00", "day1": "nine to five"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The closing time must come after the opening time." in text and "Write the hours like" in text
    assert not BusinessCalendar.objects.exists()


def test_a_snow_day_is_added_then_removed(sup, world):
    response = sup.post(f"/staff/calendars/{world.works.pk}/closures/", {"name": "Snow day", "first_day": "2027-01-12"})
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert (closure.first_day, closure.last_day) == (date(2027, 1, 12), date(2027, 1, 12))
    assert "Snow day" in sup.get("/staff/calendars/").content.decode()
    assert sup.post(f"/staff/calendars/{world.works.pk}/closures/{closure.pk}/remove/").status_code == 302
    assert not Closure.objects.exists()


def test_a_closure_backwards_is_refused(sup, world):
    response = sup.post(f"/staff/calendars/{world.works.pk}/closures/",
                        {"name": "Snow", "first_day": "2027-01-12", "last_day": "2027-01-10"})
    assert response.status_code == 400 and b"The last day must not come before the first day." in response.content


def test_an_ical_file_imports_closures_and_a_second_import_changes_only_what_changed(sup, world):
    upload = SimpleUploadedFile("closures.ics", ICS, content_type="text/calendar")
    assert sup.post(f"/staff/calendars/{world.works.pk}/ical/", {"file": upload}).status_code == 302
    rows = list(Closure.objects.order_by("first_day").values_list("name", "first_day", "last_day", "source"))
    assert rows == [("Snow day", date(2027, 1, 12), date(2027, 1, 12), ClosureSource.ICAL),
                    ("Staff training", date(2027, 2, 15), date(2027, 2, 16), ClosureSource.ICAL)]
    shorter = ICS.replace(b"DTEND;VALUE=DATE:20270217", b"DTEND;VALUE=DATE:20270216")
    without_snow = shorter.split(b"BEGIN:VEVENT", 1)[0] + b"BEGIN:VEVENT" + shorter.split(b"BEGIN:VEVENT")[2]
    upload = SimpleUploadedFile("closures.ics", without_snow, content_type="text/calendar")
    sup.post(f"/staff/calendars/{world.works.pk}/ical/", {"file": upload})
    assert list(Closure.objects.values_list("name", "last_day")) == [("Staff training", date(2027, 2, 15))]


def test_a_file_that_is_not_ical_gets_a_clear_error(sup, world):
    upload = SimpleUploadedFile("closures.ics", b"hello", content_type="text/calendar")
    response = sup.post(f"/staff/calendars/{world.works.pk}/ical/", {"file": upload})
    assert response.status_code == 400 and b"This is not an iCal" in response.content


def test_another_agency_s_calendar_is_not_there(world):
    water = create_agency("water", "Water")
    stranger = create_staff("stranger", role=StaffRole.SUPERVISOR, agencies=[water])
    client = client_for(stranger)
    assert world.works.name not in client.get("/staff/calendars/").content.decode()
    response = client.post(f"/staff/calendars/{world.works.pk}/closures/", {"name": "Snow", "first_day": "2027-01-12"})
    assert response.status_code == 404 and not Closure.objects.exists()
