"""Query counts of the inbox, the live poll and the case page stay flat as data grows (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.cases import actions
from civicdesk.channels.events import InboundAttachment
from civicdesk.conversations import replies
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
INBOX_BUDGET = 15


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 204)
    return len(queries)


def grow(world, n: int) -> None:
    for i in range(n):
        case = create_case(service=world.pothole if i % 2 else world.tree, subject=f"Case {i}",
                           email=f"r{i}@example.com")
        actions.assign(case, actor=world.admin, assignee=world.works_agent if i % 2 else world.parks_agent,
                       team=world.works_team if i % 2 else world.parks_team)
        actions.set_tags(case, actor=world.admin, names=["a", f"t{i}"])


@pytest.mark.parametrize("url", ["/staff/", "/staff/?status=open", "/staff/?view=mine&sort=priority",
                                 "/staff/?q=case", "/staff/?view=my_team&sort=updated", "/staff/?agency=parks"])
def test_inbox_queries_are_flat_and_within_budget(world, works_client, admin_client_, url,
                                                  django_assert_max_num_queries):
    grow(world, 3)
    small = count_queries(works_client, url), count_queries(admin_client_, url)
    grow(world, 30)
    with django_assert_max_num_queries(INBOX_BUDGET):
        large_works = count_queries(works_client, url)
    with django_assert_max_num_queries(INBOX_BUDGET):
        large_admin = count_queries(admin_client_, url)
    assert (large_works, large_admin) == small


def test_live_poll_is_one_query_beyond_the_session_when_nothing_changed(world, works_client):
    grow(world, 3)
    response = works_client.get("/staff/")
    url = response.context["live_url"]
    with CaptureQueriesContext(connection) as queries:
        assert works_client.get(url).status_code == 204
    # session, user, staff profile, MAX(updated_at)
    assert len(queries) <= 4


def test_case_page_queries_do_not_grow_with_the_timeline(world, works_client, django_assert_max_num_queries):
    case = create_case(service=world.pothole, subject="Busy case", email="busy@example.com",
                       attachments=[InboundAttachment("a.txt", "text/plain", b"a")])
    actions.assign(case, actor=world.works_agent, assignee=world.works_agent2, team=world.works_team)
    url = f"/staff/cases/{case.number}/"
    small = count_queries(works_client, url)
    live_small = count_queries(works_client, f"{url}live/?marker=x")
    for i in range(12):
        actions.add_note(case, author=world.works_agent2 if i % 2 else world.works_agent, text=f"note {i}")
        replies.reply(case, author=world.works_agent, text=f"reply {i}")
        actions.change_status(case, actor=world.works_agent, status="open" if i % 2 else "in_progress")
        create_case(channel="email", email="busy@example.com", subject=f"Re: [{case.number}] more {i}",
                    attachments=[InboundAttachment(f"{i}.txt", "text/plain", b"x")])
    other = create_case(service=world.pothole, subject="Dup", email="dup@example.com")
    actions.merge_cases(other, case, actor=world.works_agent)
    assert len(case.messages.all()) + case.audit.count() >= 50
    with django_assert_max_num_queries(small):
        count_queries(works_client, url)
    with django_assert_max_num_queries(live_small):
        count_queries(works_client, f"{url}live/?marker=x")
