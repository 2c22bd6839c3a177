"""Issue #8 item 5: a reply goes where the resident last wrote, unless the agent picks another of their identities."""

import re

import pytest

from civicdesk.cases.models import Direction, Message
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.models import Identity
from civicdesk.inbox.tests.conftest import World
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world: World):
    case = create_case(service=world.pothole, email="rosa@example.com", subject="Hole", body="A hole.")
    resolve_contact([("email", "rosa@example.com"), ("phone", "+12155550100")])
    return case


def test_the_reply_box_offers_the_residents_identities_when_there_are_several(world, works_client, case):
    html = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    form = re.sub(r"\s+", " ", re.search(r'<form[^>]+id="reply-form".*?</form>', html, re.S).group(0))
    assert "Send to" in form and "Where the resident last wrote" in form
    assert "rosa@example.com" in form and "+12155550100" in form


def test_a_reply_to_a_picked_number_goes_by_sms_to_it(world, works_client, case):
    phone = Identity.objects.get(kind="phone", value="+12155550100")
    response = works_client.post(f"/staff/cases/{case.number}/reply/",
                                 {"text": "A crew is on the way.", "audience": "private", "send_to": phone.pk})
    assert response.status_code in (200, 302)
    sent = Message.objects.get(case=case, direction=Direction.OUTBOUND, visible_text="A crew is on the way.")
    assert (sent.channel, sent.recipient) == ("sms", "+12155550100")


def test_a_reply_without_a_pick_goes_where_the_resident_last_wrote(world, works_client, case):
    works_client.post(f"/staff/cases/{case.number}/reply/", {"text": "Thanks.", "audience": "private"})
    sent = Message.objects.get(case=case, direction=Direction.OUTBOUND, visible_text="Thanks.")
    assert (sent.channel, sent.recipient) == ("email", "rosa@example.com")


def test_an_identity_of_someone_else_is_refused(world, works_client, case):
    other = resolve_contact([("email", "eve@example.com")]).identities.get()
    response = works_client.post(f"/staff/cases/{case.number}/reply/",
                                 {"text": "Not for Eve.", "audience": "private", "send_to": other.pk})
    assert response.status_code == 400
    assert not Message.objects.filter(visible_text="Not for Eve.").exists()
