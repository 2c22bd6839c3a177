"""Issue 10 item 13: the contact directory lists the contacts a staff member may see, searched by name, email,
phone (any formatting, a few digits) and handle, paged like the inbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.cases.transfers import transfer
from civicdesk.channels.events import SenderIdentity
from civicdesk.contacts.merges import merge_contacts
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.contacts.queries import directory_contacts
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """Rosa (Public Works, with a phone and an X handle), Omar (Public Works), Pia (Parks only)."""
    rosa = create_case(service=world.pothole, subject="Hole", email="rosa.tester@example.com",
                       contact_name="Rosa Tester", extra_identities=[SenderIdentity("phone", "+12155550123")]).contact
    Identity.objects.create(contact=rosa, kind=IdentityKind.X, value="@rosa_t")
    omar = create_case(service=world.pothole, subject="Light", email="omar@example.org",
                       contact_name="Omar Diaz").contact
    pia = create_case(service=world.tree, subject="Tree", email="pia@example.net", contact_name="Pia Park").contact
    return {"rosa": rosa, "omar": omar, "pia": pia}


def names(client, **params):
    response = client.get("/staff/contacts/", params)
    assert response.status_code == 200, response.content[:500]
    return {c.label for c in response.context["page"].contacts}


def test_the_directory_lists_only_the_contacts_of_cases_the_agent_can_see(works_client, parks_client, people):
    assert names(works_client) == {"Rosa Tester", "Omar Diaz"}
    assert names(parks_client) == {"Pia Park"}


def test_an_admin_sees_every_contact(admin_client_, people):
    assert names(admin_client_) == {"Rosa Tester", "Omar Diaz", "Pia Park"}


@pytest.mark.parametrize("q", ["Rosa", "rosa tester", "TESTER", "rosa.tester@example.com", "example.com rosa",
                               "+1 215 555 0123", "(215) 555-0123", "215.555.0123", "2155550123", "555-0123", "0123",
                               "@rosa_t", "rosa_t"])
def test_search_finds_a_contact_by_name_email_phone_in_any_formatting_and_handle(works_client, people, q):
    assert names(works_client, q=q) == {"Rosa Tester"}


def test_search_never_reaches_past_the_scope(works_client, parks_client, people):
    assert names(works_client, q="Pia") == set()
    assert names(works_client, q="pia@example.net") == set()
    assert names(parks_client, q="0123") == set()
    page = works_client.get("/staff/contacts/", {"q": "nobody-here"}).content.decode()
    assert "No contacts you can see match" in page


def test_a_case_on_the_transfer_trail_keeps_its_contact_visible(world, parks_client, people):
    case = people["omar"].cases.get()
    transfer(case, actor=world.works_agent, to_agency=world.parks, reason="Park path")
    assert names(parks_client) == {"Pia Park", "Omar Diaz"}


def test_merged_away_contacts_are_not_listed(world, works_client, people):
    merge_contacts(people["omar"], people["rosa"], actor=world.admin)
    assert names(works_client) == {"Rosa Tester"}
    assert names(works_client, q="omar@example.org") == {"Rosa Tester"}  # the identity moved with the merge


def test_the_directory_pages_like_the_inbox(world, works_client):
    for n in range(53):
        create_case(service=world.pothole, subject=f"Hole {n}", email=f"p{n:02d}@example.com",
                    contact_name=f"Person {n:02d}")
    first = works_client.get("/staff/contacts/")
    assert len(first.context["page"].contacts) == 50
    page = first.content.decode()
    assert "Contacts 1–50 of 53" in page and 'href="/staff/contacts/?page=2"' in page
    second = works_client.get("/staff/contacts/", {"page": 2})
    assert [c.display_name for c in second.context["page"].contacts] == ["Person 50", "Person 51", "Person 52"]
    assert "Contacts 51–53 of 53" in second.content.decode()
    beyond = works_client.get("/staff/contacts/", {"page": 9})
    assert beyond.status_code == 200 and "No contacts on page 9" in beyond.content.decode()
    searched = works_client.get("/staff/contacts/", {"q": "person", "page": 2}).content.decode()
    assert "Contacts 51–53 of 53" in searched and "?q=person" in searched  # the pager keeps the search


@pytest.mark.parametrize("params", [{"page": "abc"}, {"page": "-1"}, {"page": "9" * 30}, {"q": "x" * 5000},
                                    {"page": "0", "q": "rosa"}])
def test_bad_directory_parameters_are_a_page_not_a_500(works_client, people, params):
    assert works_client.get("/staff/contacts/", params).status_code == 200


def test_a_nul_character_in_the_search_is_a_400(works_client, people):
    assert works_client.get("/staff/contacts/", {"q": "a\x00b"}).status_code == 400


def test_the_staff_nav_links_the_directory(works_client, people):
    page = works_client.get("/staff/").content.decode()
    assert 'href="/staff/contacts/"' in page
    directory = works_client.get("/staff/contacts/").content.decode()
    assert 'aria-current="page"><span>Contacts</span>' in directory


def test_the_directory_query_count_is_flat(world, works_client):
    for n in range(3):
        create_case(service=world.pothole, subject=f"Hole {n}", email=f"few{n}@example.com")
    works_client.get("/staff/contacts/")
    with CaptureQueriesContext(connection) as few:
        works_client.get("/staff/contacts/")
    for n in range(20):
        create_case(service=world.pothole, subject=f"Hole {n}", email=f"many{n}@example.com")
    with CaptureQueriesContext(connection) as many:
        assert len(works_client.get("/staff/contacts/").context["page"].contacts) == 23
    assert len(many) == len(few)


def test_the_directory_query_is_the_one_function_the_api_uses(world, people):
    assert set(directory_contacts(world.works_agent, "555 0123")) == {people["rosa"]}
