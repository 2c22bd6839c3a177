"""Search finds cases by everything staff know about them: the contact's name, email and phone (typed any way), the
address, every message's text (replies and notes too), tags and partial case numbers, with typo tolerance; and
never a case the searcher may not see."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from civicdesk.api.actions import create_token
from civicdesk.cases import actions
from civicdesk.cases.models import Case, Message
from civicdesk.channels.events import SenderIdentity
from civicdesk.contacts.actions import resolve_contact, update_contact
from civicdesk.contacts.merges import merge_contacts
from civicdesk.contacts.models import Identity
from civicdesk.conversations import replies
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@dataclass
class City:
    rosa: Case
    other: Case
    park: Case


@pytest.fixture
def city(world) -> City:
    """Like the demo city: Rosa Tester's pothole (number ...-002001, phone, address, a reply, a note and a tag),
    another resident's pothole, and a Parks case of Rosa's with a note only Parks may read."""
    rosa = create_case(service=world.pothole, subject="Pothole by the bakery", body="Deep hole in the right lane.",
                       email="rosa.tester@example.com", contact_name="Rosa Tester", address="100 Main Street",
                       extra_identities=[SenderIdentity("phone", "+1 215 555 0100")])
    Case.objects.filter(pk=rosa.pk).update(number=f"{settings.CASE_NUMBER_PREFIX}-{YEAR}-002001")
    rosa.refresh_from_db()
    replies.reply(rosa, author=world.works_agent, text="The crew found a hubcap in the hole and will fill it.")
    actions.add_note(rosa, author=world.works_agent, text="Resident keeps a marmalade stall at the corner.")
    actions.set_tags(rosa, actor=world.works_agent, names=["Lane-blocked"])
    other = create_case(service=world.pothole, subject="Pothole on River Road", body="Near 1000 River Road.",
                        email="sam@example.com", contact_name="Sam Okafor", address="12 River Road")
    park = create_case(service=world.tree, subject="Fallen tree", body="A tree is down across the path.",
                       email="rosa.tester@example.com", address="Riverside Park")
    actions.add_note(park, author=world.parks_agent, text="Zeppelin-shaped branch, keep for the museum.")
    return City(rosa=rosa, other=other, park=park)


def found(client: Client, text: str) -> list[str]:
    response = client.get("/staff/", {"q": text})
    assert response.status_code == 200
    return [case.number for case in response.context["cases"]]


@pytest.mark.parametrize("text", ["Rosa", "rosa.tester@example.com", "100 Main St", "hubcap", "2001"])
def test_each_search_that_found_nothing_in_the_demo_city_finds_rosas_case(works_client, city, text):
    assert found(works_client, text) == [city.rosa.number]


@pytest.mark.parametrize("text", ["Rosa Tester", "tester", "ROSA.TESTER@EXAMPLE.COM", "rosa.tester", "Main Street",
                                  "100 main street", "lane-blocked", "Lane Blocked", "marmalade", "bakery hubcap"])
def test_names_addresses_tags_notes_and_words_together(works_client, city, text):
    assert found(works_client, text) == [city.rosa.number]


@pytest.mark.parametrize("text", ["+1 215 555 0100", "+12155550100", "2155550100", "(215) 555-0100", "215-555-0100",
                                  "215.555.0100", "1-215-555-0100", "555 0100", "5550100", "555-01", "0100"])
def test_a_phone_number_typed_any_way_or_in_part_finds_the_case(works_client, city, text):
    assert found(works_client, text) == [city.rosa.number]


@pytest.mark.parametrize("text", ["555 0199", "2155550199", "0199"])
def test_another_phone_number_finds_nothing(works_client, city, text):
    assert found(works_client, text) == []


def test_partial_case_numbers_find_the_case(works_client, city):
    prefix = settings.CASE_NUMBER_PREFIX
    for text in ["2001", "002001", "02001", f"{prefix}-{YEAR}-0020", f"{prefix.lower()}-{YEAR}-00200",
                 f"{prefix}-{YEAR}-002001 hubcap"]:
        assert found(works_client, text) == [city.rosa.number], text
    assert found(works_client, "2002") == []
    assert found(works_client, f"{prefix}-{YEAR - 1}-0020") == []


def test_the_whole_case_number_opens_the_case(works_client, city):
    response = works_client.get("/staff/", {"q": city.rosa.number.lower()})
    assert response.status_code == 302 and response.url.endswith(f"/staff/cases/{city.rosa.number}/")


@pytest.mark.parametrize("text", ["hubcapp", "hubcpa", "Rsoa", "marmalde", "Tetser", "bakerry hubcap"])
def test_a_typo_still_finds_the_case(works_client, city, text):
    assert found(works_client, text) == [city.rosa.number]


def test_a_word_the_index_knows_is_taken_as_typed(works_client, city):
    assert found(works_client, "river") == [city.other.number]
    assert found(works_client, "qqqqqq") == []


def test_notes_and_cases_are_found_only_by_staff_who_may_see_them(city, world):
    works, parks, admin = client_for(world.works_agent), client_for(world.parks_agent), client_for(world.admin)
    assert found(works, "zeppelin") == []  # a note on a Parks case
    assert found(parks, "zeppelin") == [city.park.number]
    assert found(parks, "marmalade") == []  # a note on a Public Works case
    assert found(works, "rosa.tester@example.com") == [city.rosa.number]
    assert found(parks, "rosa.tester@example.com") == [city.park.number]
    assert found(admin, "rosa.tester@example.com") == [city.park.number, city.rosa.number]
    assert found(parks, "hubcap") == [] and found(parks, "2155550100") == [city.park.number]


def test_the_api_case_list_searches_the_same_way(city, world):
    api = Client(headers={"Authorization": f"Bearer {create_token(world.works_agent, name='tests').raw}"})
    for text in ["rosa.tester@example.com", "555-0100", "hubcapp", "2001"]:
        response = api.get("/api/cases", {"q": text})
        assert response.status_code == 200
        assert [item["number"] for item in response.json()["items"]] == [city.rosa.number], text
    assert api.get("/api/cases", {"q": "zeppelin"}).json()["items"] == []


def test_the_index_follows_every_part_of_the_case(works_client, city, world):
    rosa = city.rosa
    actions.set_tags(rosa, actor=world.works_agent, names=["storm-2026"])
    assert found(works_client, "storm") == [rosa.number] and found(works_client, "lane-blocked") == []
    update_contact(rosa.contact, actor=world.works_agent, display_name="Rosalind Tester")
    assert found(works_client, "Rosalind") == [rosa.number]
    resolve_contact([("email", "rosa.work@example.org"), ("email", "rosa.tester@example.com")])
    assert Identity.objects.filter(value="rosa.work@example.org", contact=rosa.contact).exists()
    assert found(works_client, "rosa.work@example.org") == [rosa.number]
    note = Message.objects.get(case=rosa, body_text__contains="marmalade")
    note.delete()
    assert found(works_client, "marmalade") == []
    Message.objects.filter(case=rosa, body_text__contains="hubcap").update(body_text="", visible_text="")
    assert found(works_client, "hubcap") == []


def test_merges_carry_the_search_words_along(works_client, city, world):
    duplicate = create_case(service=world.pothole, subject="Same hole", body="Bicycle wheel bent in it.",
                            email="cyclist@example.com", contact_name="Carla Cyclist")
    replies.reply(duplicate, author=world.works_agent, text="Please send the receipt for the wheel.")
    actions.merge_cases(duplicate, city.other, actor=world.works_agent)
    assert found(works_client, "receipt") == [city.other.number]  # the duplicate is merged away (hidden)
    merge_contacts(city.other.contact, city.rosa.contact, actor=world.admin)
    assert found(works_client, "rosa.tester@example.com") == [city.other.number, city.rosa.number]
    assert found(works_client, "Okafor") == []  # the merged-away contact's name is no longer the cases' contact
    assert found(works_client, "sam@example.com") == [city.other.number, city.rosa.number]  # identities moved


def test_automatic_messages_and_follower_copies_are_not_searched(works_client, city):
    Message.objects.filter(case=city.other).update(is_automatic=True)  # as an acknowledgement
    assert found(works_client, "1000") == [city.other.number]  # the description is still there
    Message.objects.create(case=city.other, direction="out", channel="email", body_text="Automatic zebra notice",
                           is_automatic=True, created_at=timezone.now())
    assert found(works_client, "zebra") == []
