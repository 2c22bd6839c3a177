"""SMS consent on the trail: opt-outs of one of our numbers, keyword texts and flagged requests read as sentences."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.inbox.sentences import describe
from civicdesk.inbox.wording import Names

pytestmark = pytest.mark.django_db


def say(action: str, *, actor=None, **after) -> str:
    entry = AuditEntry(action=action, at=timezone.now(), actor=actor, actor_label="" if actor else "sms", after=after)
    return describe(entry, Names()).text


def test_a_keyword_opt_out_names_the_keyword_and_our_number():
    text = say(AuditAction.OPTED_OUT, identity=1, kind="phone", account=2, sender="+12155550199", keyword="BASTA",
               source="keyword")
    assert text == "The resident texted BASTA: no more texts go to them from +12155550199"


def test_an_opt_out_confirmed_by_staff_names_who_confirmed_it():
    user = get_user_model()(username="sam", first_name="Sam", last_name="Agent")
    text = say(AuditAction.OPTED_OUT, actor=user, identity=1, account=2, sender="+12155550199", source="staff")
    assert text == ("Sam Agent confirmed the resident's request to stop texts: no more texts go to them from "
                    "+12155550199")


def test_an_opt_in_and_an_unanswered_keyword_read_plainly():
    assert say(AuditAction.OPTED_IN, account=2, sender="+12155550199", keyword="START", source="keyword") == (
        "The resident texted START: texts from +12155550199 may go to them again")
    assert "nothing was sent back" in say(AuditAction.KEYWORD_TEXT, keyword="HELP", answered=False,
                                          sender="+12155550199")


def test_a_flagged_request_gives_its_deadline_as_a_date():
    text = say(AuditAction.STOP_REQUEST_FLAGGED, phrase="stop texting", due_on="2026-09-21")
    assert "“stop texting”" in text and "2026" in text and "Sep" in text
