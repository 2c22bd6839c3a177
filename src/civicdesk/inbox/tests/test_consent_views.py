"""SMS consent on the staff side: the flagged request on the case page, the composer's refusal, the record's export."""

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Direction, Message
from civicdesk.conversations.consent import is_opted_out
from civicdesk.conversations.models import StopRequest, StopRequestStatus
from civicdesk.conversations.tests.consent_helpers import ADAPTER, OTHER_NUMBER, our_number, text
from civicdesk.conversations.tests.inbound import receive
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
RESIDENT_2 = "+12155550111"


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}  # the account's provider sends


@pytest.fixture
def works_number(world):
    return our_number(world.works)


@pytest.fixture
def parks_number(world):
    return our_number(world.parks, OTHER_NUMBER)


def sms_case(account, body, **kwargs):
    return receive(text(body, account, agency_slug=account.agency.slug, **kwargs)).case


def test_the_case_page_shows_a_flagged_request_with_its_deadline_and_the_decision_is_audited(works_client, world,
                                                                                             works_number):
    case = sms_case(works_number, "please stop texting me")
    flagged = StopRequest.objects.get()
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "The resident may have asked to stop texts" in page and "“stop texting”" in page
    assert f"Decide by {flagged.due_on:%A}, {flagged.due_on:%B} {flagged.due_on.day}, {flagged.due_on.year}" in page
    assert "Confirm the opt-out" in page and "Dismiss: not a request to stop" in page
    response = works_client.post(f"/staff/cases/{case.number}/stop-requests/{flagged.pk}/confirm/")
    assert response.status_code == 302 and response["Location"].endswith(f"{case.number}/#stop-requests")
    flagged.refresh_from_db()
    assert flagged.status == StopRequestStatus.CONFIRMED and is_opted_out(flagged.identity, works_number.pk)
    assert AuditEntry.objects.filter(case=case, action=AuditAction.OPTED_OUT, actor=world.works_agent).exists()
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "The resident may have asked" not in page
    assert f"{flagged.identity.value} opted out of texts from {works_number.address}" in page  # the sidebar
    assert "confirmed the resident&#x27;s request to stop texts" in page  # the timeline
    again = works_client.post(f"/staff/cases/{case.number}/stop-requests/{flagged.pk}/dismiss/")
    assert again.status_code == 409 and "already decided" in again.content.decode()


def test_deciding_is_refused_outside_the_case_and_for_unknown_decisions(works_client, parks_client, works_number):
    case = sms_case(works_number, "please stop texting me")
    other = sms_case(works_number, "Streetlight out", sender=RESIDENT_2)
    flagged = StopRequest.objects.get()
    assert works_client.post(f"/staff/cases/{other.number}/stop-requests/{flagged.pk}/confirm/").status_code == 404
    assert works_client.post(f"/staff/cases/{case.number}/stop-requests/{flagged.pk}/maybe/").status_code == 404
    assert parks_client.post(f"/staff/cases/{case.number}/stop-requests/{flagged.pk}/confirm/").status_code in (403,
                                                                                                              404)
    assert works_client.get(f"/staff/cases/{case.number}/stop-requests/{flagged.pk}/confirm/").status_code == 405
    assert StopRequest.objects.get().status == StopRequestStatus.PENDING


def test_the_composer_says_the_number_opted_out_and_a_reply_is_refused_at_once(works_client, works_number):
    case = sms_case(works_number, "Pothole on Main St.")
    receive(text("STOP", works_number))
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "This reply cannot be sent:" in page and f"opted out of texts from {works_number.address}" in page
    outbound = Message.objects.filter(case=case, direction=Direction.OUTBOUND).count()
    response = works_client.post(f"/staff/cases/{case.number}/reply/", {"mode": "reply", "audience": "private",
                                                                       "text": "We fixed it."})
    assert response.status_code == 400 and "opted out of texts from" in response.content.decode()
    assert Message.objects.filter(case=case, direction=Direction.OUTBOUND).count() == outbound


def exported(client, query=""):
    response = client.get(f"/staff/opt-outs/export.csv{query}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_export_lists_every_change_of_the_users_agencies_only(world, works_number, parks_number):
    sms_case(works_number, "Pothole on Main St.")
    receive(text("STOP", works_number))
    receive(text("START", works_number))
    receive(text("Basta", parks_number, sender=RESIDENT_2))
    works_supervisor = create_staff("wsup", role=StaffRole.SUPERVISOR, agencies=[world.works])
    header, *rows = exported(client_for(works_supervisor))
    assert header == ["at", "number", "our_number", "agency", "change", "source", "keyword", "staff", "case"]
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        ("+12155550100", works_number.address, "public-works", "opted_out", "keyword", "STOP"),
        ("+12155550100", works_number.address, "public-works", "opted_in", "keyword", "START")]
    assert rows[0][8].startswith("CD-")  # the case of the conversation
    admin = client_for(world.admin)
    assert len(exported(admin)) == 4
    assert [r[6] for r in exported(admin, "?agency=parks")[1:]] == ["BASTA"]
    assert client_for(works_supervisor).get("/staff/opt-outs/export.csv?agency=parks").status_code == 404
    assert client_for(world.works_agent).get("/staff/opt-outs/export.csv").status_code == 403
    assert client_for(world.works_agent).get("/staff/opt-outs/").status_code == 403
    page = admin.get("/staff/opt-outs/").content.decode()
    assert "3 changes are on record" in page and "Download the CSV" in page


def test_the_command_exports_the_same_record(world, works_number, parks_number, tmp_path):
    receive(text("STOP", works_number))
    receive(text("alto", parks_number, sender=RESIDENT_2))
    out = io.StringIO()
    call_command("consent", "export", "--agency", "parks", stdout=out)
    header, *rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert header[0] == "at" and [(r[1], r[6]) for r in rows] == [(RESIDENT_2, "ALTO")]
    target = tmp_path / "all.csv"
    call_command("consent", "export", "--output", str(target), stderr=io.StringIO())
    assert len(target.read_text().splitlines()) == 3
    with pytest.raises(Exception, match="No agency with the slug nowhere"):
        call_command("consent", "export", "--agency", "nowhere")


def test_a_supervisor_sets_the_help_texts_of_their_agency_and_help_answers_with_them(world, works_number):
    supervisor = client_for(world.supervisor)
    page = supervisor.get("/staff/opt-outs/").content.decode()
    assert "What HELP answers" in page and "Public Works" in page
    response = supervisor.post("/staff/opt-outs/help/public-works/", {
        "public-works-text_en": "Public Works: call 311 for help.",
        "public-works-text_es": "Obras Públicas: llame al 311 para obtener ayuda."})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=AuditAction.AGENCY_CHANGED, actor=world.supervisor,
                                     after__sms_help_es__startswith="Obras").exists()
    receive(text("AYUDA", works_number))
    answer = Message.objects.filter(direction=Direction.OUTBOUND).get()
    assert answer.body_text == "Obras Públicas: llame al 311 para obtener ayuda."
    works_supervisor = create_staff("wsup", role=StaffRole.SUPERVISOR, agencies=[world.works])
    assert client_for(works_supervisor).post("/staff/opt-outs/help/parks/", {}).status_code == 404
    assert client_for(world.works_agent).post("/staff/opt-outs/help/public-works/", {}).status_code == 403
    assert supervisor.post("/staff/opt-outs/help/nowhere/", {}).status_code == 404
    too_long = supervisor.post("/staff/opt-outs/help/public-works/", {"public-works-text_en": "x" * 400})
    assert too_long.status_code == 400
