"""The composer on a case whose reply goes by SMS: the segment counter, a confirmation before 10 segments and more,
and the channel's 1,600-character limit refused by the server with a clear message."""

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


@pytest.fixture
def phone() -> Identity:
    return Identity.objects.get(kind="phone", value="+12155550100")


def sent(case) -> list[str]:
    return list(Message.objects.filter(case=case, direction=Direction.OUTBOUND).exclude(channel="email")
                .values_list("visible_text", flat=True))


def reply(client, case, phone, text: str, **extra: str):
    return client.post(f"/staff/cases/{case.number}/reply/", {"text": text, "audience": "private",
                                                               "send_to": phone.pk, **extra})


def test_the_counter_shows_for_an_sms_reply_and_not_for_an_email_one(world, works_client, case, phone) -> None:
    by_email = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "data-cd-sms-counter" not in by_email
    assert 'src="/static/channels/sms_segments.js"' in by_email
    by_sms = works_client.get(f"/staff/cases/{case.number}/reply/destination/", {"send_to": phone.pk}).content.decode()
    assert "data-cd-sms-counter" in by_sms and 'data-max="1600"' in by_sms and 'data-warn-at="10"' in by_sms
    assert "0 text messages (SMS segments), GSM-7, 0 of 1,600 characters." in by_sms


def test_a_short_text_goes_at_once(world, works_client, case, phone) -> None:
    assert reply(works_client, case, phone, "A crew is on the way €").status_code in (200, 302)
    assert sent(case) == ["A crew is on the way €"]


def test_ten_segments_need_the_agents_confirmation(world, works_client, case, phone) -> None:
    text = "x" * 1530  # 10 parts of 153
    refused = reply(works_client, case, phone, text)
    html = re.sub(r"\s+", " ", refused.content.decode())
    assert refused.status_code == 400 and sent(case) == []
    assert "This reply goes out as 10 text messages. Confirm that you want to send it that long" in html
    assert re.search(r'<div class="usa-alert usa-alert--warning[^>]*data-cd-sms-long(?! hidden)', html)
    assert re.search(r'name="confirm_segments" id="confirm_segments" value="1" required', html)
    assert reply(works_client, case, phone, text, confirm_segments="1").status_code in (200, 302)
    assert sent(case) == [text]


def test_nine_segments_need_no_confirmation(world, works_client, case, phone) -> None:
    assert reply(works_client, case, phone, "x" * 1377).status_code in (200, 302)
    assert len(sent(case)) == 1


def test_over_the_channels_limit_is_refused_with_a_clear_message(world, works_client, case, phone) -> None:
    refused = reply(works_client, case, phone, "é" * 1601, confirm_segments="1")
    html = refused.content.decode()
    assert refused.status_code == 400 and sent(case) == []
    assert ("This reply is 1,601 characters long, and a text message can carry at most 1,600. Shorten it, or send "
            "the rest in a second reply.") in html


def test_an_internal_note_is_never_counted_as_a_text(world, works_client, case, phone) -> None:
    response = works_client.post(f"/staff/cases/{case.number}/note/", {"text": "x" * 2000, "send_to": phone.pk})
    assert response.status_code in (200, 302)
    assert Message.objects.filter(case=case, visible_text="x" * 2000).exists()
