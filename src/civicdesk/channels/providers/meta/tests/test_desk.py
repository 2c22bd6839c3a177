"""What an agent sees of Meta on the case page: the reply window next to the composer, and hiding a comment."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.meta.simulation import payload
from civicdesk.channels.providers.meta.tests.conftest import PAGE_ID, PSID, post_webhook
from civicdesk.channels.providers.meta.tests.graph_server import GraphServer
from civicdesk.channels.providers.meta.window import reply_window, window_at
from civicdesk.conversations import pipeline
from civicdesk.conversations.models import Conversation
from civicdesk.conversations.moderation import is_comment
from civicdesk.testing.factories import create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db


def arrive(page: ChannelAccount, text: str, kind: str, user: str = PSID, unique: str = "a") -> Case:
    post_webhook(Client(), page, payload(page.channel, page.address, text, kind, user_id=user, unique=unique))
    result = pipeline.process(InboundPayload.objects.order_by("-pk")[0])
    assert result.case is not None
    return result.case


def test_the_window_is_24_hours_then_the_human_agent_tag_for_7_days_then_closed() -> None:
    now = timezone.now()
    assert window_at(now - timedelta(hours=2), now=now)[:3] == (True, "", 22 * 3600)
    assert window_at(now - timedelta(hours=30), now=now)[:2] == (True, "HUMAN_AGENT")
    assert window_at(now - timedelta(hours=30), automatic=True, now=now).allowed is False
    closed = window_at(now - timedelta(days=8), now=now)
    assert not closed.allowed and "7 days" in closed.reason
    assert window_at(None).allowed is False
    assert window_at(now - timedelta(days=30), public=True).seconds_left is None


def test_the_composer_says_how_long_is_left_and_why_a_reply_is_refused(page: ChannelAccount) -> None:
    case = arrive(page, "Pothole on 5th", "message")
    agent = staff_login(Client(), create_staff("agent", agencies=[case.agency]))
    text = agent.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'id="reply-window"' in text and "Meta allows replies for 23 hours" in text
    Conversation.objects.filter(case=case).update(last_inbound_at=timezone.now() - timedelta(days=9))
    conversation = Conversation.objects.get(case=case)
    assert not reply_window(conversation).allowed
    text = agent.get(f"/staff/cases/{case.number}/").content.decode()
    assert "More than 7 days have passed since the resident" in text


def test_an_agent_hides_a_comment_on_the_page_and_it_is_audited(page: ChannelAccount, graph: GraphServer) -> None:
    case = arrive(page, "This city is a joke, call me at 215 555 0100", "comment", user="63", unique="c")
    comment = Message.objects.get(case=case, direction=Direction.INBOUND)
    graph.add_comment(PAGE_ID, comment.provider_message_id)
    assert is_comment(comment)
    agent = staff_login(Client(), create_staff("agent", agencies=[case.agency]))
    page_text = agent.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Hide this comment on Facebook" in page_text
    answer = agent.post(f"/staff/cases/{case.number}/messages/{comment.pk}/hide/", follow=True)
    assert answer.status_code == 200
    assert graph.calls[-1].path == f"/{comment.provider_message_id}" and graph.calls[-1].body == {"is_hidden": True}
    assert graph.comments[comment.provider_message_id]["hidden"] is True
    entry = AuditEntry.objects.get(case=case, action=AuditAction.COMMENT_HIDDEN)
    assert entry.actor is not None and entry.after == {"message": comment.pk, "channel": "facebook"}
    text = answer.content.decode()
    assert "Hidden on Facebook" in text and "hid the resident" in text
    assert "Hide this comment on Facebook" not in text


def test_a_refused_hide_says_why_and_records_nothing(page: ChannelAccount, graph: GraphServer) -> None:
    case = arrive(page, "Broken light", "comment", user="63", unique="d")
    comment = Message.objects.get(case=case, direction=Direction.INBOUND)
    graph.add_comment(PAGE_ID, comment.provider_message_id)
    graph.fail_next(400, 200, "Requires pages_manage_engagement permission")
    agent = staff_login(Client(), create_staff("agent", agencies=[case.agency]))
    answer = agent.post(f"/staff/cases/{case.number}/messages/{comment.pk}/hide/", follow=True)
    assert "lacks a permission Meta requires" in answer.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.COMMENT_HIDDEN).exists()


def test_a_direct_message_cannot_be_hidden(page: ChannelAccount) -> None:
    case = arrive(page, "Private question", "message")
    dm = Message.objects.get(case=case, direction=Direction.INBOUND)
    agent = staff_login(Client(), create_staff("agent", agencies=[case.agency]))
    assert "Hide this comment" not in agent.get(f"/staff/cases/{case.number}/").content.decode()
    agent.post(f"/staff/cases/{case.number}/messages/{dm.pk}/hide/")
    assert not AuditEntry.objects.filter(action=AuditAction.COMMENT_HIDDEN).exists()


def test_meta_failures_read_as_plain_reasons_on_the_timeline() -> None:
    from civicdesk.conversations.failures import plain_reason

    assert plain_reason("The resident is not available on Messenger right now (they may have blocked the page or "
                        "deleted their account) (Meta error 551).").startswith("the resident is not available")
    assert plain_reason(window_at(timezone.now() - timedelta(days=9)).reason) == (
        "Meta's reply window had closed (more than 7 days since the resident last wrote)")
