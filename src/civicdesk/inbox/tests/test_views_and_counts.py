"""The inbox's views: links that keep the filters, numbered pages, counts per view (live too), scope and read-only
cases, contact labels, and saved views."""

import re

import pytest

from civicdesk.cases import actions, transfers
from civicdesk.contacts.models import Contact, Identity, IdentityKind
from civicdesk.inbox.models import SavedView
from civicdesk.testing.factories import create_case

from .conftest import client_for
from .test_live import live_url

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [c.number for c in response.context["cases"]]


def hrefs(body: str, css_class: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(rf'class="{css_class}[^"]*" href="([^"]+)"', body)]


def count_of(body: str, view: str) -> str:
    match = re.search(rf'id="view-count-{view}"[^>]*>([^<]*)<', body)
    assert match, f"no count for {view}"
    return match.group(1)


@pytest.fixture
def many(world):
    """120 Public Works cases (every third by email, every second unassigned) and one Parks case."""
    made = []
    for i in range(120):
        case = create_case(channel="email" if i % 3 == 0 else "web", service=world.pothole, subject=f"Hole {i}",
                           email=f"h{i}@example.com")
        if i % 2:
            actions.assign(case, actor=world.admin, assignee=world.works_agent, team=world.works_team)
        made.append(case)
    create_case(service=world.tree, subject="Tree", email="tree@example.com")
    return made


def test_tabs_and_pager_links_keep_the_other_filters_and_never_start_with_two_question_marks(works_client, many):
    body = works_client.get("/staff/?view=all&channel=web&sort=oldest&page=1&since=1&sig=x").content.decode()
    assert "??" not in body
    tabs = hrefs(body, "cd-tabs__link")
    assert "/staff/?view=unassigned&sort=oldest&channel=web" in tabs
    assert "/staff/?view=read_only&sort=oldest&channel=web" in tabs
    pages = hrefs(body, "usa-pagination__")
    assert "/staff/?view=all&sort=oldest&channel=web&page=1" in pages
    assert "/staff/?view=all&sort=oldest&channel=web&page=2" in pages
    assert all("since=" not in h and "sig=" not in h for h in tabs + pages)


def test_each_view_lists_its_own_cases_and_page_two_is_not_page_one(works_client, world, many):
    unassigned = numbers(works_client.get("/staff/?view=unassigned"))
    assert len(unassigned) == 50 and all(c.assignee_id is None
                                         for c in works_client.get("/staff/?view=unassigned").context["cases"])
    mine = works_client.get("/staff/?view=mine").context["cases"]
    assert {c.assignee_id for c in mine} == {world.works_agent.pk}
    first, second = numbers(works_client.get("/staff/")), numbers(works_client.get("/staff/?page=2"))
    assert len(first) == len(second) == 50 and set(first).isdisjoint(second)


def test_numbered_pages_show_the_first_and_the_last(works_client, many):
    response = works_client.get("/staff/?page=2")
    page = response.context["page"]
    assert (page.count, page.last_number, page.pager()) == (120, 3, [1, 2, 3])
    body = response.content.decode()
    assert 'aria-label="First page, page 1"' in body and 'aria-label="Last page, page 3"' in body
    assert "Cases 51–100 of 120" in body
    last = works_client.get("/staff/?page=last")
    assert last.context["page"].number == 3 and len(last.context["cases"]) == 20


def test_a_page_past_the_end_says_so_and_leads_back(works_client, many):
    response = works_client.get("/staff/?channel=email&page=9")
    assert response.status_code == 200 and response.context["cases"] == []
    body = response.content.decode()
    assert "No cases on page 9." in body and "This list has 40 cases. The last page is page 1." in body
    assert 'href="/staff/?channel=email"' in body  # back to the first page, filters kept
    empty = works_client.get("/staff/?q=nosuchword&page=3").content.decode()
    assert "No cases on page 3: no cases match these filters." in empty and "Previous page" not in empty


def test_bad_page_values_are_reported_not_fatal(works_client, many):
    for value in ("0", "-1", "abc", "9999999", "last;drop"):
        response = works_client.get(f"/staff/?page={value}")
        assert response.status_code == 200 and response.context["page"].number == 1


def test_each_tab_counts_its_view_and_the_caption_the_filtered_list(works_client, world, many):
    body = works_client.get("/staff/").content.decode()
    assert [count_of(body, v) for v in ("unassigned", "mine", "my_team", "all", "read_only")] == [
        "60", "60", "120", "120", "0"]  # the pothole service puts every case in the road crew's queue
    body = works_client.get("/staff/?channel=email&view=unassigned").content.decode()
    assert [count_of(body, v) for v in ("unassigned", "mine", "all")] == ["60", "60", "120"]  # the views' own
    assert "Cases 1–20 of 20" in body


def test_counts_follow_live_changes(works_client, world, many):
    url = live_url(works_client.get("/staff/?view=mine").content.decode(), "inbox-poller")
    create_case(service=world.pothole, subject="Just in", email="new@example.com")
    body = works_client.get(url).content.decode()
    assert count_of(body, "unassigned") == "61" and count_of(body, "all") == "121"
    assert 'id="view-count-all" hx-swap-oob="true"' in body
    assert 'id="case-list"' not in body  # "Mine" itself did not change


def test_admins_have_no_read_only_view_and_see_every_case_under_all(admin_client_, many):
    body = admin_client_.get("/staff/").content.decode()
    assert 'id="view-count-read_only"' not in body and count_of(body, "all") == "121"
    assert admin_client_.get("/staff/?view=read_only").context["cases"] == []


def test_all_means_cases_one_may_act_on_and_the_transfer_trail_is_read_only(world, works_client, parks_client):
    moved = create_case(service=world.pothole, subject="Park path", email="m@example.com")
    kept = create_case(service=world.pothole, subject="Our hole", email="k@example.com")
    transfers.transfer(moved, actor=world.works_agent, to_agency=world.parks, reason="Park land")
    assert numbers(works_client.get("/staff/")) == [kept.number]
    assert numbers(works_client.get("/staff/?view=unassigned")) == [kept.number]
    assert numbers(works_client.get("/staff/?view=read_only")) == [moved.number]
    assert numbers(parks_client.get("/staff/")) == [moved.number]  # the new owner acts on it
    # assigned back to a Works agent, the case is theirs to act on again: no longer read only
    actions.assign(moved, actor=world.admin, assignee=world.works_agent)
    assert numbers(works_client.get("/staff/?view=read_only")) == []
    assert set(numbers(works_client.get("/staff/"))) == {moved.number, kept.number}


def test_the_contact_column_shows_a_name_or_an_address_never_an_internal_number(admin_client_, world):
    named = create_case(service=world.pothole, email="rosa@example.com", contact_name="Rosa Tester")
    nameless = create_case(service=world.pothole, email="nameless@example.com")
    phone_only = create_case(service=world.pothole, email="phone@example.com")
    Contact.objects.filter(pk__in=[nameless.contact_id, phone_only.contact_id]).update(display_name="")
    Identity.objects.filter(contact_id=phone_only.contact_id).update(kind=IdentityKind.PHONE, value="+12155550100")
    body = admin_client_.get("/staff/").content.decode()
    assert "Rosa Tester" in body and "nameless@example.com" in body and "+12155550100" in body
    assert not re.search(r">Contact \d+<", body)
    case_page = admin_client_.get(f"/staff/cases/{nameless.number}/").content.decode()
    assert "nameless@example.com</a>" in case_page and not re.search(r"Contact \d+", case_page)
    assert named.contact.label == "Rosa Tester"


def test_an_agent_saves_uses_updates_and_deletes_a_view(works_client, world, many):
    response = works_client.post("/staff/views/", {"name": "Email holes", "query": "view=unassigned&channel=email"
                                                   "&page=2&status=bogus&sort=newest"})
    assert response.status_code == 302 and response["Location"] == "/staff/?view=unassigned&channel=email"
    saved = SavedView.objects.get(user=world.works_agent)
    assert (saved.name, saved.query) == ("Email holes", "view=unassigned&channel=email")
    body = works_client.get(response["Location"]).content.decode()
    assert 'aria-current="page"><span class="usa-sr-only">Saved view: </span>Email holes</a>' in body
    assert count_of(body, "unassigned") == "60" and "Cases 1–20 of 20" in body
    # the same name in other letters replaces the filters
    works_client.post("/staff/views/", {"name": "email HOLES", "query": "channel=web"})
    saved.refresh_from_db()
    assert (SavedView.objects.count(), saved.name, saved.query) == (1, "email HOLES", "channel=web")
    # another agent neither sees nor deletes it
    other = client_for(world.works_agent2)
    assert "email HOLES" not in other.get("/staff/").content.decode()
    assert other.post(f"/staff/views/{saved.pk}/delete/").status_code == 404
    response = works_client.post(f"/staff/views/{saved.pk}/delete/", {"back": "channel=web"})
    assert response.status_code == 302 and response["Location"] == "/staff/?channel=web"
    assert not SavedView.objects.exists()


def test_a_view_without_a_name_is_refused_and_nothing_is_saved(works_client, world):
    response = works_client.post("/staff/views/", {"name": "  ", "query": "channel=email"}, follow=True)
    assert "Give the view a name" in response.content.decode() and not SavedView.objects.exists()
    assert works_client.get("/staff/views/").status_code == 405
