"""Issue #7 item 17: "This is my problem too" promises updates; followers get every public update by email (with a
signed unsubscribe link that works), never the reporter's private replies."""

import re
from typing import Any

import pytest
from django.test import Client

from civicdesk.cases.models import Case, DeliveryStatus, Message
from civicdesk.mail.tests.conftest import Sink
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

pytestmark = pytest.mark.django_db


def public_ref(case: Case) -> str:
    return getattr(case, "public_id", None) or case.number


@pytest.fixture
def world(db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    agency = create_agency("public-works", "Public Works")
    service = create_service(agency, "streetlight", name="Streetlight out")
    with django_capture_on_commit_callbacks(execute=True):
        case = create_case(service=service, email="reporter@example.com", subject="Lamp out on Elm",
                           body="The lamp at Elm and 4th is out.", lat=38.9, lon=-77.03)
    agent = create_staff("agent", agencies=[agency])
    staff = Client()
    staff.force_login(agent)
    return {"case": case, "staff": staff}


def follow(case: Case, email: str) -> str:
    response = Client().post(f"/gis/nearby/{public_ref(case)}/follow", {"follow_email": email})
    assert response.status_code == 200
    return response.content.decode()


def send(world: dict[str, Any], text: str, audience: str, capture: Any) -> None:
    with capture(execute=True):
        response = world["staff"].post(f"/staff/cases/{world['case'].number}/reply/",
                                       {"text": text, "audience": audience})
    assert response.status_code == 302, response.content.decode()[:2000]


def mail_to(sink: Sink, address: str) -> list[Any]:
    return [m for m in sink.handler.messages() if m["To"] == address]


def test_the_plus_one_promises_email_updates_with_a_way_to_stop_them(world: dict[str, Any]) -> None:
    html = follow(world["case"], "neighbour@example.com")
    text = re.sub(r"\s+", " ", html)
    assert "We will email you each public update on it" in text and "link to stop them" in text


def test_followers_get_each_public_update_by_email_with_an_unsubscribe_link(
        world: dict[str, Any], outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    follow(world["case"], "neighbour@example.com")
    send(world, "A crew replaces the lamp on Thursday.", "public", django_capture_on_commit_callbacks)
    [mail] = mail_to(outbound_sink, "neighbour@example.com")
    body = mail.get_content()
    assert "A crew replaces the lamp on Thursday." in body
    assert "reporter@example.com" not in body and "The lamp at Elm and 4th is out." not in body
    assert re.search(r"https?://\S+/updates/stop/\S+/", body)
    assert [m for m in mail_to(outbound_sink, "reporter@example.com") if "Thursday" in m.get_content()]
    assert mail["References"] is None and mail["In-Reply-To"] is None  # not the reporter's thread
    copy = Message.objects.get(recipient="neighbour@example.com")
    assert copy.delivery_status == DeliveryStatus.SENT and copy.case_id == world["case"].pk  # visible on the case


def test_followers_never_get_the_reporters_private_replies(
        world: dict[str, Any], outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    follow(world["case"], "neighbour@example.com")
    send(world, "Private: can you send a photo of the lamp?", "private", django_capture_on_commit_callbacks)
    assert mail_to(outbound_sink, "neighbour@example.com") == []
    assert [m for m in mail_to(outbound_sink, "reporter@example.com") if "photo of the lamp" in m.get_content()]


def test_the_unsubscribe_link_stops_further_updates_for_that_follower_only(
        world: dict[str, Any], outbound_sink: Sink, django_capture_on_commit_callbacks: Any) -> None:
    follow(world["case"], "neighbour@example.com")
    follow(world["case"], "other@example.com")
    send(world, "First update.", "public", django_capture_on_commit_callbacks)
    [mail] = mail_to(outbound_sink, "neighbour@example.com")
    link = re.search(r"https?://[^/\s]+(/updates/stop/\S+/)", mail.get_content())
    assert link
    browser = Client()
    confirm = browser.get(link.group(1))
    assert confirm.status_code == 200 and "Stop the updates" in confirm.content.decode()
    assert browser.post(link.group(1)).status_code == 200
    send(world, "Second update.", "public", django_capture_on_commit_callbacks)
    assert [m.get_content().count("Second update.") for m in mail_to(outbound_sink, "neighbour@example.com")] == [0]
    assert any("Second update." in m.get_content() for m in mail_to(outbound_sink, "other@example.com"))


def test_a_forged_or_damaged_unsubscribe_link_is_a_400(world: dict[str, Any]) -> None:
    assert Client().get("/updates/stop/not-a-real-token/").status_code == 400
    assert Client().post("/updates/stop/eyJjIjoiYWJjIiwiZiI6MX0:forged:sig/").status_code == 400
