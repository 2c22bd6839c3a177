"""Indexed text search over cases: the search document (SQLite FTS5, PostgreSQL tsvector), safe quoting, upkeep."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.cases.models import Case
from civicdesk.cases.search import fts5_match_query, search_cases, tsquery
from civicdesk.cases.search_terms import query_terms
from civicdesk.inbox.search_index import ensure_sqlite_case_search
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus(world):
    return {
        "hole": create_case(service=world.pothole, subject="Pothole on Elm", body="Cars are damaged by the hole.",
                            email="a@example.com"),
        "light": create_case(service=world.pothole, subject="Streetlight out", body="Dark corner near school.",
                             email="b@example.com"),
        "tree": create_case(service=world.tree, subject="Fallen branches", body="Branches blocking the trail.",
                            email="c@example.com"),
    }


def found(text: str) -> set[str]:
    return set(search_cases(Case.objects.all(), text).values_list("subject", flat=True))


def test_words_match_subject_and_description_with_stemming(corpus):
    assert found("pothole") == {"Pothole on Elm"}
    assert found("damage") == {"Pothole on Elm"}  # "damaged" stems to the same word
    assert found("branch") == {"Fallen branches"}
    assert found("dark school") == {"Streetlight out"}
    assert found("dark elm") == set()  # every word must match
    assert found("") == {"Pothole on Elm", "Streetlight out", "Fallen branches"}


def test_search_uses_the_search_index(corpus):
    with CaptureQueriesContext(connection) as queries:
        list(search_cases(Case.objects.all(), "pothole"))
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert "cases_case_search MATCH" in sql
            cursor.execute("EXPLAIN QUERY PLAN SELECT rowid FROM cases_case_search WHERE cases_case_search "
                           "MATCH '\"x\"'")
            assert "VIRTUAL TABLE INDEX" in " ".join(str(r) for r in cursor.fetchall())
        else:
            assert "to_tsquery" in sql
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT case_id FROM cases_case_search WHERE document @@ "
                           "to_tsquery('english', %s)", ["'pothole'"])
            assert "case_search_document" in " ".join(r[0] for r in cursor.fetchall())


@pytest.mark.parametrize("text", ['"', "*", "pothole*", "NEAR(a b)", "a AND OR NOT", "'; DROP TABLE x; --",
                                  "elm:", "^pothole", "(pothole", "-hole", "ä ö ü", "!!!", "a\\b'c", "x@y", "@",
                                  "+1 (", "cd-2026-", "'2001':*", "hole | tree", "!tree", "a <-> b", "ab:* & c",
                                  "1" * 200, "-" * 300])
def test_hostile_or_odd_input_never_errors(corpus, text):
    list(search_cases(Case.objects.all(), text))


def test_every_word_is_quoted_for_the_engine():
    terms = query_terms('pot"hole OR "x" NEAR( it\'s')
    assert fts5_match_query(terms) == '"pot" AND "hole" AND "or" AND "x" AND "near" AND "it" AND "s"'
    assert tsquery(terms) == "'pot' & 'hole' & 'or' & 'x' & 'near' & 'it' & 's'"
    assert query_terms("... !!") == []


def test_index_follows_inserts_updates_and_deletes(corpus):
    case = corpus["light"]
    Case.objects.filter(pk=case.pk).update(subject="Flickering lamp", description="It blinks.")
    assert found("lamp") == {"Flickering lamp"} and found("streetlight") == set()
    case.delete()
    assert found("lamp") == set()
    create_case(subject="Graffiti wall", body="Paint on the wall.", agency_slug="public-works", email="g@example.com")
    assert found("graffiti") == {"Graffiti wall"}


def test_searching_a_case_number_finds_it(corpus):
    number = corpus["tree"].number
    assert found(number.lower()) == {"Fallen branches"}


def test_inbox_search_box(admin_client_, corpus):
    response = admin_client_.get("/staff/?q=branches")
    assert [c.subject for c in response.context["cases"]] == ["Fallen branches"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite trigger upkeep")
def test_missing_sqlite_triggers_are_recreated_and_the_index_rebuilt_after_migrate(corpus):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER cases_search_case_ai")
        cursor.execute("DROP TRIGGER cases_search_message_ai")
    create_case(subject="Written while unwatched", body="Opera singing.", agency_slug="parks", email="o@example.com")
    assert found("opera") == set()
    ensure_sqlite_case_search()
    assert found("opera") == {"Written while unwatched"}
    create_case(subject="Noise complaint", body="Loud music.", agency_slug="parks", email="n@example.com")
    assert found("music") == {"Noise complaint"}


def _words(case: Case) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(document) FROM cases_case_search WHERE case_id = %s", [case.pk])
        return sorted(cursor.fetchone()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's appending trigger")
def test_a_new_message_adds_the_same_words_a_rebuild_would(corpus, world):
    from civicdesk.cases.actions import add_note

    case = corpus["light"]
    add_note(case, author=world.works_agent, text="Crews replaced the ballast; see https://city.example/lights.")
    add_note(case, author=world.works_agent, text="Crews replaced the ballast; see https://city.example/lights.")
    assert found("ballast") == {"Streetlight out"} and found("city example lights") == {"Streetlight out"}
    appended = _words(case)
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_search_refresh(ARRAY[%s]::bigint[])", [case.pk])
    assert appended == _words(case)


def test_identities_added_together_or_removed_change_their_contacts_case_documents(corpus):
    """PostgreSQL refreshes for identities added by one INSERT once per statement (cases migration 0024)."""
    from civicdesk.contacts.models import Identity

    hole, tree = corpus["hole"], corpus["tree"]
    Identity.objects.bulk_create([
        Identity(contact=hole.contact, kind="phone", value="+12025550187"),
        Identity(contact=tree.contact, kind="email", value="rowan.birch@example.org"),
    ])
    assert found("0187") == {"Pothole on Elm"}
    assert found("rowan.birch@example.org") == {"Fallen branches"}
    Identity.objects.filter(value="+12025550187").delete()
    assert found("0187") == set()
