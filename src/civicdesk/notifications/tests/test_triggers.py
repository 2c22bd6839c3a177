"""Each trigger makes one notification for the right person, none for the actor, and none twice for one event."""

import pytest

from civicdesk.cases import actions
from civicdesk.cases.events import CaseAssigned
from civicdesk.notifications import mentions
from civicdesk.notifications.actions import notify, on_case_assigned
from civicdesk.notifications.models import Notification, NotificationKind
from civicdesk.notifications.tests.helpers import notes_for, resident_writes
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return create_case(channel="email", service=world.pothole, email="rosa@example.com", subject="Pothole on Main")


def test_a_case_assigned_by_the_supervisor_notifies_the_agent_once_and_not_the_supervisor(world, case):
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    [note] = notes_for(world.works_agent)
    assert (note.kind, note.case, note.actor) == (NotificationKind.ASSIGNED, case, world.supervisor)
    assert note.read_at is None
    assert notes_for(world.supervisor) == []


def test_assigning_a_case_to_yourself_notifies_nobody(world, case):
    actions.assign(case, actor=world.works_agent, assignee=world.works_agent, team=world.works_team)
    assert Notification.objects.count() == 0


def test_assigning_again_to_the_same_agent_like_a_retried_job_notifies_nothing_more(world, case):
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    assert len(notes_for(world.works_agent)) == 1


def test_a_reassignment_notifies_the_new_assignee(world, case):
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    actions.assign(case, actor=world.works_agent, assignee=world.works_agent2, team=world.works_team)
    [note] = notes_for(world.works_agent2)
    assert note.actor == world.works_agent
    assert len(notes_for(world.works_agent)) == 1  # their own hand-over tells them nothing


def test_an_assignment_by_routing_or_the_system_says_so(world, case):
    on_case_assigned(CaseAssigned(case, world.works_agent.pk, None, None, None))
    [note] = notes_for(world.works_agent)
    assert note.actor is None and note.kind == NotificationKind.ASSIGNED


def test_an_admin_edit_of_the_assignee_notifies_the_new_assignee(world, case):
    actions.edit_fields(case, actor=world.admin, changes={"assignee": world.works_agent2})
    [note] = notes_for(world.works_agent2)
    assert note.actor == world.admin


def test_a_residents_reply_on_an_assigned_case_notifies_its_assignee(world, case):
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    resident_writes(case, "rosa@example.com")
    replies = [n for n in notes_for(world.works_agent) if n.kind == NotificationKind.REPLY]
    assert len(replies) == 1 and replies[0].actor is None
    assert replies[0].message.case_id == case.pk and replies[0].message.direction == "in"
    assert notes_for(world.works_agent2) == [] and notes_for(world.supervisor) == []


def test_a_residents_message_on_an_unassigned_or_new_case_notifies_nobody(world, case):
    resident_writes(case, "rosa@example.com")
    create_case(service=world.pothole, email="someone@example.com")
    assert Notification.objects.count() == 0


def test_a_staff_reply_notifies_nobody(world, case):
    from civicdesk.conversations import replies

    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)
    replies.reply(case, author=world.works_agent2, text="We are on it.")
    assert [n.kind for n in Notification.objects.all()] == [NotificationKind.ASSIGNED]


def test_a_note_mentioning_a_colleague_notifies_them_and_not_the_author(world, case):
    note = actions.add_note(case, author=world.works_agent, text="@walt can you take this? cc @Wanda and @sup.")
    [told] = notes_for(world.works_agent2)
    assert (told.kind, told.actor, told.message) == (NotificationKind.MENTION, world.works_agent, note)
    assert notes_for(world.works_agent) == []  # the author named themself
    assert len(notes_for(world.supervisor)) == 1  # "@sup." : the full stop ends the handle


def test_a_mention_of_staff_who_cannot_see_the_case_notifies_nobody(world, case):
    actions.add_note(case, author=world.works_agent, text="Is this one for @pat in Parks?")
    assert Notification.objects.count() == 0


def test_an_unknown_handle_or_an_email_address_notifies_nobody(world, case):
    actions.add_note(case, author=world.works_agent, text="Ask @nobody, or write to walt@staff.example.")
    assert Notification.objects.count() == 0


def test_an_inactive_colleague_is_not_notified(world, case):
    world.works_agent2.is_active = False
    world.works_agent2.save()
    actions.add_note(case, author=world.works_agent, text="@walt")
    assert Notification.objects.count() == 0


def test_one_event_notifies_each_recipient_once_even_when_repeated(world, case):
    first = notify(world.works_agent.pk, NotificationKind.REPLY, case, key="message:1")
    again = notify(world.works_agent.pk, NotificationKind.REPLY, case, key="message:1")
    assert first is not None and again is None
    assert len(notes_for(world.works_agent)) == 1


def test_a_failure_to_notify_never_loses_the_residents_message(world, case, monkeypatch):
    actions.assign(case, actor=world.supervisor, assignee=world.works_agent, team=world.works_team)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("civicdesk.notifications.actions.notify", broken)
    resident_writes(case, "rosa@example.com", text="Second message")
    assert case.messages.filter(direction="in", body_text="Second message").exists()


def test_handles_are_usernames_after_a_space_or_punctuation():
    assert mentions.handles("Hi @Sam, see (@agent.publicworks). Thanks @sam.") == ["sam", "agent.publicworks"]
    assert mentions.handles("rosa@example.com and @@x and a@b") == []


def test_a_note_shows_known_handles_as_links_and_leaves_unknown_ones_as_text():
    html = mentions.linked("<b>@Walt</b> and @nobody", {"walt": 7})
    assert html.startswith('&lt;b&gt;<a class="cd-mention" href="/staff/?view=all&amp;assignee=7">@Walt</a>')
    assert html.endswith("and @nobody")
