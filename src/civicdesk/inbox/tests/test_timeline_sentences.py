"""Issue #10 item 11: every audit event reads as a sentence on the timeline; delivery failures in plain words."""

import re

import pytest
from django.utils import timezone

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions, transfers
from civicdesk.cases.models import DeliveryStatus, Direction, Message
from civicdesk.conversations import delivery, replies
from civicdesk.conversations.failures import plain_reason
from civicdesk.inbox.sentences import DESCRIBERS, describe
from civicdesk.inbox.wording import Names
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db

# One realistic entry per action, as the code that writes each one leaves it.
EXAMPLES: dict[str, dict] = {
    AuditAction.CASE_CREATED: {"actor_label": "web", "after": {"number": "CD-1", "agency": "public-works",
                                                               "channel": "web"}},
    AuditAction.STATUS_CHANGED: {"before": {"status": "open"}, "after": {"status": "in_progress"}},
    AuditAction.ASSIGNED: {"before": {"assignee": None, "team": None}, "after": {"assignee": 7, "team": 3}},
    AuditAction.PRIORITY_CHANGED: {"before": {"priority": "normal"}, "after": {"priority": "high"}},
    AuditAction.TAGS_CHANGED: {"before": {"tags": []}, "after": {"tags": ["lane-blocked"]}},
    AuditAction.TRANSFERRED: {"before": {"agency": "public-works"}, "after": {"agency": "parks"},
                              "reason": "It is a park path"},
    AuditAction.ROUTED: {"actor_label": "router", "reason": "Location in ward Ward 3: rule #4 ('Pothole') sends it",
                         "after": {"agency": "public-works", "team": None, "router": "location", "rule": 4,
                                   "rule_name": "Potholes in Ward 3"}},
    AuditAction.MERGED: {"after": {"duplicate": "CD-2026-000002", "messages_moved": 2}},
    AuditAction.MERGED_INTO: {"before": {"status": "open"}, "after": {"status": "closed", "survivor": "CD-1"}},
    AuditAction.LINKED: {"after": {"related": "CD-2026-000003"}},
    AuditAction.REOPENED: {"actor_label": "resident", "before": {"status": "resolved"}, "after": {"status": "open"}},
    AuditAction.LOCATION_CHANGED: {"before": {"lat": 1.0, "lon": 2.0, "address": ""},
                                   "after": {"lat": 1.5, "lon": 2.5, "address": "100 Main St"}},
    AuditAction.FIELD_CHANGED: {"before": {"subject": "Hole"}, "after": {"subject": "Deep hole"}},
    AuditAction.DELIVERY_FAILED: {"actor_label": "email", "after": {"channel": "email", "attempts": 6},
                                  "reason": "The mail server refused the recipient: 550 5.1.1 no such user"},
    AuditAction.FOLLOWER_ADDED: {"actor_label": "resident", "after": {"contact": 5}},
    AuditAction.CONTACT_CREATED: {"after": {"display_name": "Rosa Tester"}},
    AuditAction.CONTACT_CHANGED: {"before": {"display_name": "Rosa"}, "after": {"display_name": "Rosa Tester"}},
    AuditAction.CONTACT_MERGED: {"after": {"source": 1, "target": 2, "identities": [3], "cases": []}},
    AuditAction.CONTACT_UNMERGED: {"before": {"source": 1, "target": 2}},
    AuditAction.IDENTITY_ADDED: {"after": {"kind": "email", "value": "rosa@example.com"}},
    AuditAction.OPTED_OUT: {"actor_label": "phone", "after": {"identity": 1, "kind": "phone"}},
    AuditAction.OPTED_IN: {"actor_label": "phone", "after": {"identity": 1, "kind": "phone"}},
    AuditAction.KEYWORD_TEXT: {"actor_label": "sms", "after": {"identity": 1, "keyword": "HELP", "answered": True,
                                                               "sender": "+12155550199"}},
    AuditAction.STOP_REQUEST_FLAGGED: {"actor_label": "sms", "after": {
        "request": 1, "message": 2, "phrase": "stop texting", "due_on": "2026-09-21"}},
    AuditAction.STOP_REQUEST_DISMISSED: {"after": {"request": 1, "phrase": "stop texting"}},
    AuditAction.MESSAGE_EDITED: {"actor_label": "facebook", "after": {"message": 1}},
    AuditAction.CALL_LOGGED: {"after": {"message": 1, "direction": "in", "number": "+12155550134"}},
    AuditAction.MESSAGE_DELETED: {"actor_label": "facebook", "after": {"message": 1}},
    AuditAction.COMMENT_HIDDEN: {"after": {"message": 1, "channel": "facebook"}},
    **{action: {"after": {"from_agency": "Public Works", "to_agency": "Parks"}, "reason": "It is a park path"}
       for action in (AuditAction.TRANSFER_REQUESTED, AuditAction.TRANSFER_APPROVED, AuditAction.TRANSFER_REJECTED,
                      AuditAction.TRANSFER_WITHDRAWN)},
    **{action: {"after": {"role": "agent"}} for action in (
        AuditAction.STAFF_CREATED, AuditAction.STAFF_CHANGED, AuditAction.STAFF_AWAY_CHANGED,
        AuditAction.TEAM_MEMBERS_CHANGED, AuditAction.PASSWORD_LINK_SENT, AuditAction.AGENCY_CHANGED,
        AuditAction.INITIATIVE_CREATED, AuditAction.INITIATIVE_CHANGED)},
    AuditAction.CHAT_ENDED: {"after": {"session": "5f0c", "messages": 12}},
    AuditAction.CHAT_BLOCKED: {"after": {"session": "5f0c", "messages": 3}, "reason": "Abusive language"},
    AuditAction.SLA_WARNING: {"after": {"kind": "first_response", "due_at": "2026-12-07T14:00:00+00:00"}},
    AuditAction.SLA_BREACHED: {"after": {"kind": "resolution", "due_at": "2026-12-07T14:00:00+00:00"}},
    AuditAction.SURVEY: {"after": {"survey": 1, "channel": "email", "skipped": ""}},
    AuditAction.SURVEY_ANSWERED: {"after": {"survey": 1, "score": 4, "via": "web"}, "reason": "Quick work"},
    AuditAction.FIX_CHECK: {"after": {"fix_check": 1, "channel": "sms", "skipped": ""}},
    AuditAction.FIX_CHECK_ANSWERED: {"after": {"fix_check": 1, "fixed": False, "via": "sms"}, "reason": "Still there"},
}
SLUG = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.mark.parametrize("action", AuditAction.values)
def test_every_audit_action_reads_as_a_sentence_never_a_slug(action):
    assert action in DESCRIBERS, f"{action} has no sentence"
    for fields in (EXAMPLES[action], {}):  # as written, and an entry with nothing in it
        entry = AuditEntry(action=action, at=timezone.now(), **{"actor_label": "system", **fields})
        text = describe(entry, Names(agencies={"public-works": "Public Works", "parks": "Parks"},
                                     users={7: "Sam Agent"}, teams={3: "Road crew"})).text
        assert text and text[0].isupper(), text
        assert action not in text and not SLUG.search(text), text
        assert "router" not in text and "system" not in text and "None" not in text, text


def test_the_examples_read_as_the_issue_asks():
    names = Names(agencies={"public-works": "Public Works", "parks": "Parks"}, users={7: "Sam Agent"},
                  teams={3: "Road crew"})

    def say(action):
        return describe(AuditEntry(action=action, at=timezone.now(), **EXAMPLES[action]), names).text

    assert say(AuditAction.CASE_CREATED) == "Created from the web portal"
    assert say(AuditAction.ROUTED) == "Routed to Public Works by the rule “Potholes in Ward 3”"
    assert say(AuditAction.STATUS_CHANGED) == "Status: Open → In progress"
    assert say(AuditAction.TRANSFERRED) == "Transferred from Public Works to Parks: It is a park path"
    assert say(AuditAction.DELIVERY_FAILED) == "A reply by Email could not be delivered: the mailbox does not exist"


def test_the_case_page_tells_the_story_in_sentences(works_client, world):
    world.works_agent.first_name, world.works_agent.last_name = "Wanda", "Agent"
    world.works_agent.save()
    world.works_agent2.first_name, world.works_agent2.last_name = "Walt", "Crew"
    world.works_agent2.save()
    case = create_case(service=world.pothole, email="ann@example.com", subject="Hole", body="Deep")
    actions.assign(case, actor=world.works_agent, assignee=world.works_agent2, team=world.works_team)
    actions.change_status(case, actor=world.works_agent, status="in_progress")
    actions.set_tags(case, actor=world.works_agent, names=["Lane blocked"])
    transfers.transfer(case, actor=world.works_agent, to_agency=world.parks, reason="It is a park path")
    page = re.sub(r"\s+", " ", works_client.get(f"/staff/cases/{case.number}/").content.decode())
    timeline = re.search(r'<div id="case-timeline">.*?</ol>', page).group(0)
    assert "Created from the web portal" in timeline
    assert "Routed to Public Works / Road crew by its service, “Pothole”" in timeline
    assert "Assigned to Walt Crew by Wanda Agent" in timeline
    assert "Wanda Agent changed the status: Open → In progress" in timeline
    assert "Wanda Agent tagged it “lane-blocked”" in timeline
    assert "Transferred from Public Works to Parks and Recreation by Wanda Agent: It is a park path" in timeline
    assert "by router" not in timeline and "Case created" not in timeline and "status_changed" not in timeline


def test_a_bounced_email_reads_in_plain_words_with_the_smtp_reply_behind_a_disclosure(works_client, world):
    case = create_case(service=world.pothole, email="ann@example.com", subject="Hole", body="Deep")
    reply = replies.reply(case, author=world.works_agent, text="We are on it.")
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.SENDING, attempts=1)
    reply.refresh_from_db()
    delivery.mark_failed(reply, "The mail server refused the recipient: 550 5.1.1 <ann@example.com>: no such user")
    page = re.sub(r"\s+", " ", works_client.get(f"/staff/cases/{case.number}/").content.decode())
    sentence = "The email to ann@example.com could not be delivered: the mailbox does not exist"
    assert page.count(sentence) == 2  # on the reply itself and on the trail entry
    disclosures = re.findall(r"<details[^>]*><summary>Technical details</summary>(.*?)</details>", page)
    assert any("550 5.1.1" in d for d in disclosures)
    assert "Delivery error:" not in page


@pytest.mark.parametrize(("error", "plain"), [
    ("The mail server refused the recipient: 550 5.1.1 no such user", "the mailbox does not exist"),
    ("Bounced: ann@example.com: 552 5.2.2 mailbox full", "the mailbox is full"),
    ("The mail server rejected the message: 554 5.7.1 spam", "the receiving server refused it (spam filter or policy)"),
    ("The mail server deferred the recipient: 450 try later", "the receiving server kept deferring it"),
    ("ConnectionRefusedError: [Errno 111] Connection refused", "our mail server or provider could not be reached"),
    ("ConnectionError: HTTPSConnectionPool(host='api.twilio.com', port=443): Max retries exceeded with url: /2010-04-01"
     "/Accounts/AC0/Messages.json (Caused by NameResolutionError(...): Failed to resolve 'api.twilio.com'",
     "our mail server or provider could not be reached"),  # port=443 is not an SMTP reply code
    ("The resident opted out of messages on this channel", "the resident opted out of messages on this channel"),
    ("Something odd", "the provider refused it"),
])
def test_delivery_errors_become_plain_reasons(error, plain):
    assert plain_reason(error) == plain


def test_a_retrying_reply_says_it_will_be_tried_again(works_client, world):
    case = create_case(service=world.pothole, email="ann@example.com", subject="Hole", body="Deep")
    reply = replies.reply(case, author=world.works_agent, text="Soon.")
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.RETRYING, attempts=1,
                                               last_error="TemporarySendError: 421 4.4.1 connection timed out")
    page = re.sub(r"\s+", " ", works_client.get(f"/staff/cases/{case.number}/").content.decode())
    assert "The last attempt failed (the receiving server could not be reached); it will be tried again." in page


def test_the_timeline_reads_its_names_in_a_fixed_number_of_queries(works_client, world, django_assert_max_num_queries):
    case = create_case(service=world.pothole, email="ann@example.com", subject="Hole", body="Deep")
    works_client.get(f"/staff/cases/{case.number}/")
    for status in ("open", "in_progress", "waiting", "open", "resolved"):
        actions.change_status(case, actor=world.works_agent, status=status)
        actions.assign(case, actor=world.works_agent, assignee=world.works_agent2, team=world.works_team)
        record(AuditAction.DELIVERY_FAILED, case=case, actor_label="email",
               after={"message": Message.objects.filter(case=case).first().pk, "channel": "email", "attempts": 1},
               reason="550 no such user")
    assert Message.objects.filter(case=case, direction=Direction.INBOUND).exists()
    with django_assert_max_num_queries(41):
        assert works_client.get(f"/staff/cases/{case.number}/").status_code == 200
