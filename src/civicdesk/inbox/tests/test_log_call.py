"""Logging a phone call from the staff pages: on the case page (its form), or as a new case from the desk; only on
cases and services of the agent's own agencies; bad input is a clear 400; the call is on the timeline."""

from civicdesk.contacts.models import Identity
from civicdesk.telephony.models import Call
from civicdesk.testing.factories import create_case

CALL = {"direction": "out", "number": "(215) 555-0134", "duration": "4:05", "outcome": "no_answer",
        "notes": "Rang twice, no answer."}


def test_an_agent_logs_a_call_on_a_case_and_sees_it_on_the_timeline(world, works_client):
    case = create_case(service=world.pothole)
    page = works_client.get(f"/staff/cases/{case.number}/")
    assert b'id="log-call-form"' in page.content and b"Log a phone call" in page.content
    response = works_client.post(f"/staff/cases/{case.number}/call/", CALL)
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#message-{call.message_id}")
    assert (call.number, call.duration_seconds, call.outcome, call.logged_by) == ("+12155550134", 245, "no_answer",
                                                                                 world.works_agent)
    timeline = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Call to +12155550134 by wanda" in timeline and "Duration 4:05" in timeline
    assert "Rang twice, no answer." in timeline and "wanda logged a call to +12155550134" in timeline


def test_a_call_cannot_be_logged_on_another_agency_s_case(world, parks_client):
    case = create_case(service=world.pothole)
    assert parks_client.post(f"/staff/cases/{case.number}/call/", CALL).status_code in (403, 404)
    assert Call.objects.count() == 0


def test_a_bad_number_or_duration_is_a_clear_400_and_nothing_is_logged(world, works_client):
    case = create_case(service=world.pothole)
    response = works_client.post(f"/staff/cases/{case.number}/call/", {**CALL, "number": "12", "duration": "ten"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The call was not logged" in text and "Enter a valid phone number" in text and "4:30" in text
    assert Call.objects.count() == 0


def test_the_desk_logs_a_call_as_a_new_case_with_the_caller_s_contact(world, works_client):
    assert b"Log a call" in works_client.get("/staff/").content
    form = works_client.get("/staff/calls/new/").content.decode()
    assert "Public Works: Pothole" in form and "Parks and Recreation" not in form  # only the agent's services
    response = works_client.post("/staff/calls/new/", {**CALL, "service": world.pothole.pk, "direction": "in",
                                                       "outcome": "answered"})
    call = Call.objects.select_related("message__case").get()
    case = call.message.case
    assert response.status_code == 302 and case.number in response["Location"]
    assert (case.agency, case.service, case.channel) == (world.works, world.pothole, "phone")
    assert Identity.objects.get(value="+12155550134").contact == case.contact


def test_the_desk_refuses_a_service_of_another_agency(world, works_client):
    response = works_client.post("/staff/calls/new/", {**CALL, "service": world.tree.pk})
    assert response.status_code == 400 and Call.objects.count() == 0
