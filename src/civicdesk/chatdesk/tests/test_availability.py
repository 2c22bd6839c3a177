"""An agent's availability for live chat: their own switch, counted only while their desk is open and they are not
away, and read per agency by the portal's widget."""

from datetime import date, timedelta

from django.utils import timezone

from civicdesk.agencies.actions import set_away
from civicdesk.chatdesk import actions, queries
from civicdesk.notifications.models import DeskPresence


def at_desk(user, seconds_ago: int = 0) -> None:
    DeskPresence.objects.update_or_create(user=user, defaults={
        "last_seen_at": timezone.now() - timedelta(seconds=seconds_ago)})


def test_nobody_takes_chats_until_an_agent_says_so(world):
    at_desk(world.works_agent)
    assert not queries.agency_takes_chats(world.works.pk)
    actions.set_chat_availability(world.works_agent, available=True)
    assert queries.agency_takes_chats(world.works.pk)
    assert not queries.agency_takes_chats(world.parks.pk)  # Wanda is not of Parks
    actions.set_chat_availability(world.works_agent, available=False)
    assert not queries.agency_takes_chats(world.works.pk)


def test_an_available_agent_whose_desk_closed_a_while_ago_no_longer_counts(world):
    actions.set_chat_availability(world.works_agent, available=True)
    at_desk(world.works_agent, seconds_ago=queries.DESK_OPEN_SECONDS + 5)
    assert not queries.agency_takes_chats(world.works.pk)
    at_desk(world.works_agent, seconds_ago=30)
    assert list(queries.chat_agents(world.works.pk)) == [world.works_agent]


def test_an_agent_marked_away_or_deactivated_does_not_count(world):
    actions.set_chat_availability(world.works_agent, available=True)
    at_desk(world.works_agent)
    set_away(world.works_agent.staff, actor=world.supervisor, away=True, until=date.today() + timedelta(days=2))
    assert not queries.agency_takes_chats(world.works.pk)
    set_away(world.works_agent.staff, actor=world.supervisor, away=False)
    world.works_agent.is_active = False
    world.works_agent.save()
    assert not queries.agency_takes_chats(world.works.pk)


def test_becoming_available_marks_the_desk_open_at_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.set_chat_availability(world.works_agent, available=True)
    assert queries.agency_takes_chats(world.works.pk)


def test_the_switch_is_posted_from_the_desk_and_checked(world, works_client):
    page = works_client.get("/staff/chats/")
    assert page.status_code == 200 and b"Become available for chat" in page.content
    assert works_client.post("/staff/chats/availability/", {"available": "maybe"}).status_code == 400
    assert works_client.get("/staff/chats/availability/").status_code == 405
    answer = works_client.post("/staff/chats/availability/", {"available": "on"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and b"Go away from chat" in answer.content
    assert b"You are now available for chat." in answer.content
    assert queries.is_taking_chats(world.works_agent)
    assert works_client.post("/staff/chats/availability/", {"available": "off"}).status_code == 302
    assert not queries.is_taking_chats(world.works_agent)


def test_a_signed_out_visitor_cannot_switch_anyones_availability(client, world):
    answer = client.post("/staff/chats/availability/", {"available": "on"})
    assert answer.status_code == 302 and "/staff/login/" in answer["Location"]
