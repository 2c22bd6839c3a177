"""Indexed text search over cases: SQLite FTS5 and PostgreSQL full text, safe quoting, index upkeep."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.cases.models import Case
from civicdesk.cases.search import fts5_match_query, search_cases
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


def test_search_uses_the_full_text_index(corpus):
    with CaptureQueriesContext(connection) as queries:
        list(search_cases(Case.objects.all(), "pothole"))
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert "cases_case_fts MATCH" in sql
            cursor.execute("EXPLAIN QUERY PLAN SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH '\"x\"'")
            assert "VIRTUAL TABLE INDEX" in " ".join(str(r) for r in cursor.fetchall())
        else:
            assert "plainto_tsquery" in sql
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT id FROM cases_case WHERE to_tsvector('english', "
                           "\"cases_case\".\"subject\" || ' ' || \"cases_case\".\"description\") "
                           "@@ plainto_tsquery('english', %s)", ["pothole"])
            assert "case_fts_gin" in " ".join(r[0] for r in cursor.fetchall())


@pytest.mark.parametrize("text", ['"', "*", "pothole*", "NEAR(a b)", "a AND OR NOT", "'; DROP TABLE x; --",
                                  "elm:", "^pothole", "(pothole", "-hole", "ä ö ü", "!!!"])
def test_hostile_or_odd_input_never_errors(corpus, text):
    list(search_cases(Case.objects.all(), text))


def test_match_query_quotes_each_token():
    assert fts5_match_query('pot"hole OR "x" NEAR(') == '"pot" "hole" "OR" "x" "NEAR"'
    assert fts5_match_query("...") == ""


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
def test_missing_sqlite_triggers_are_recreated_after_migrate(corpus):
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER cases_case_fts_ai")
    ensure_sqlite_case_search()
    create_case(subject="Noise complaint", body="Loud music.", agency_slug="parks", email="n@example.com")
    assert found("music") == {"Noise complaint"}
