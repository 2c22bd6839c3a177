"""Indexed text search over cases: FTS5 on SQLite, full text on PostgreSQL, or an exact case number."""

import re

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from civicdesk.cases.models import Case

FTS_DENSE_THRESHOLD = 5000  # more matches than this: walk the sort index and probe the matches instead

CASE_NUMBER_RE = re.compile(r"^[A-Za-z]{2,5}-\d{4}-\d{6}$")
SEARCH_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
MAX_SEARCH_TOKENS = 12


def looks_like_case_number(text: str) -> bool:
    return bool(CASE_NUMBER_RE.match(text.strip()))


def fts5_match_query(text: str) -> str:
    """User text as an FTS5 MATCH expression: each word double-quoted, so operators and syntax are inert."""
    tokens = SEARCH_TOKEN_RE.findall(text)[:MAX_SEARCH_TOKENS]
    return " ".join('"' + token.replace('"', '""') + '"' for token in tokens)


def full_text_condition(text: str) -> RawSQL | None:
    """A boolean SQL condition using the vendor's full-text index (migration cases 0002), or None if no words."""
    if connection.vendor == "postgresql":
        return RawSQL(
            "to_tsvector('english', \"cases_case\".\"subject\" || ' ' || \"cases_case\".\"description\") "
            "@@ plainto_tsquery('english', %s)", [text], output_field=BooleanField())
    match = fts5_match_query(text)
    if not match:
        return None
    if connection.vendor == "sqlite":
        # Few matches: drive the query from the match list (by rowid). Many: the unary + stops SQLite from doing
        # that (it would fetch and sort every match) so it walks the sort index and probes the match set instead.
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM (SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s "
                           "LIMIT %s)", [match, FTS_DENSE_THRESHOLD + 1])
            dense = cursor.fetchone()[0] > FTS_DENSE_THRESHOLD
        column = "+\"cases_case\".\"id\"" if dense else "\"cases_case\".\"id\""
        return RawSQL(f"{column} IN (SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s)",
                      [match], output_field=BooleanField())
    return None


def search_cases(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Indexed text search over subject and description (FTS5 / PostgreSQL full text), or an exact case number."""
    text = text.strip()[:200]
    if not text:
        return queryset
    if looks_like_case_number(text):
        return queryset.filter(number=text.upper())
    condition = full_text_condition(text)
    if condition is None:
        if connection.vendor in ("sqlite", "postgresql"):
            return queryset.none()  # only punctuation: nothing to look for
        return queryset.filter(Q(subject__icontains=text) | Q(description__icontains=text))
    return queryset.filter(condition)
