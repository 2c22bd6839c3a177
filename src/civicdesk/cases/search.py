"""Indexed text search over cases: one search document per case (cases migration 0013), FTS5 on SQLite and a
tsvector with a GIN index on PostgreSQL, read with the terms of cases.search_terms; or an exact case number."""

import json
import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from civicdesk.cases.models import Case
from civicdesk.cases.search_terms import Term, query_terms

FTS_DENSE_THRESHOLD = 5000  # more matches than this: walk the sort index and probe the matches instead
MAX_QUERY_LENGTH = 200
MAX_WIDENED = 3  # unknown words widened per search (each looks up a few hundred neighbours)
SEARCH_TABLE = "cases_case_search"

CASE_NUMBER_RE = re.compile(r"^[A-Za-z]{2,5}-\d{4}-\d{6}$")


def looks_like_case_number(text: str) -> bool:
    return bool(CASE_NUMBER_RE.match(text.strip()))


def fts5_match_query(terms: list[Term]) -> str:
    """Terms as an FTS5 MATCH expression: every word double-quoted, so operators and syntax in it are inert."""
    parts = []
    for term in terms:
        words = ['"' + word.replace('"', '""') + '"' + ("*" if term.prefix else "") for word in term.words]
        parts.append(words[0] if len(words) == 1 else "(" + " OR ".join(words) + ")")
    return " AND ".join(parts)


def tsquery(terms: list[Term]) -> str:
    """Terms as PostgreSQL to_tsquery text: every word single-quoted (the words hold no quote or backslash)."""
    parts = []
    for term in terms:
        words = ["'" + word.replace("'", "").replace("\\", "") + "'" + (":*" if term.prefix else "")
                 for word in term.words]
        parts.append(words[0] if len(words) == 1 else "(" + " | ".join(words) + ")")
    return " & ".join(parts)


def _matches_sql(vendor: str) -> str:
    if vendor == "sqlite":
        return f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s"
    return f"SELECT case_id FROM {SEARCH_TABLE} WHERE document @@ to_tsquery('english', %s)"


def _expression(vendor: str, terms: list[Term]) -> str:
    return fts5_match_query(terms) if vendor == "sqlite" else tsquery(terms)


def full_text_condition(terms: list[Term]) -> RawSQL | None:
    """A boolean SQL condition using the vendor's search index, or None on another vendor.

    Typo tolerance: a typed word the index does not hold is replaced by its neighbours one edit away that it does
    hold ("hubcapp" finds "hubcap"). One query asks which typed words find anything (and, on SQLite, how dense the
    matches are); only when some find nothing does one more ask which of their neighbours do (an index lookup
    each), and SQLite counts again."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return None
    fuzzy = [i for i, term in enumerate(terms) if term.fuzzy]
    dense, held = _probe(vendor, terms, [terms[i].words[0] for i in fuzzy])
    unknown = [i for i, found in zip(fuzzy, held, strict=True) if not found][:MAX_WIDENED]
    if unknown:
        terms = _widened(vendor, terms, unknown)
        dense, _ = _probe(vendor, terms, [])
    expression = _expression(vendor, terms)
    # SQLite, few matches: drive the query from the match list (by rowid). Many: the unary + stops SQLite from
    # doing that (it would fetch and sort every match) so it walks the sort index and probes the match set instead.
    column = "+\"cases_case\".\"id\"" if dense else "\"cases_case\".\"id\""
    return RawSQL(f"{column} IN ({_matches_sql(vendor)})", [expression], output_field=BooleanField())


def _probe(vendor: str, terms: list[Term], words: list[str]) -> tuple[bool, list[bool]]:
    """In one query: on SQLite, whether the terms match more than FTS_DENSE_THRESHOLD cases; whether the index
    holds each of `words`. No query when there is nothing to ask."""
    parts: list[str] = []
    params: list[Any] = []
    if vendor == "sqlite":
        parts.append(f"(SELECT count(*) FROM ({_matches_sql(vendor)} LIMIT %s))")
        params += [_expression(vendor, terms), FTS_DENSE_THRESHOLD + 1]
    for word in words:
        parts.append(f"EXISTS ({_matches_sql(vendor)})")
        params.append(_expression(vendor, [Term((word,))]))
    if not parts:
        return False, []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = list(cursor.fetchone())
    dense = vendor == "sqlite" and row.pop(0) > FTS_DENSE_THRESHOLD
    return dense, [bool(found) for found in row]


def _widened(vendor: str, terms: list[Term], unknown: list[int]) -> list[Term]:
    """The terms with each unknown typed word joined by its neighbours one edit away that the index holds."""
    neighbours = {i: terms[i].widened().words[1:] for i in unknown}
    known = set(_known_words(vendor, sorted({word for words in neighbours.values() for word in words})))
    widened = list(terms)
    for i in unknown:
        widened[i] = Term((terms[i].words[0], *(word for word in neighbours[i] if word in known)))
    return widened


def _known_words(vendor: str, words: list[str]) -> list[str]:
    """The words (letters only) the index holds, in one query of one index lookup each."""
    if vendor == "sqlite":
        sql = (f"SELECT value FROM json_each(%s) WHERE EXISTS (SELECT 1 FROM {SEARCH_TABLE} "
               f"WHERE {SEARCH_TABLE} MATCH '\"' || value || '\"')")
        params: list[Any] = [json.dumps(words)]
    else:
        sql = (f"SELECT w FROM unnest(%s::text[]) AS w WHERE EXISTS (SELECT 1 FROM {SEARCH_TABLE} "
               "WHERE document @@ to_tsquery('english', quote_literal(w)))")
        params = [words]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def search_cases(queryset: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose search document holds every term of `text` (see cases.search_terms), or one exact case number.
    Narrows `queryset`, so a search never finds a case the caller may not see."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return queryset
    if looks_like_case_number(text):
        return queryset.filter(number=text.upper())
    terms = query_terms(text)
    if not terms:
        return queryset.none()  # only punctuation: nothing to look for
    condition = full_text_condition(terms)
    if condition is None:  # no search index on this vendor: every word somewhere in the subject or description
        for term in terms:
            matches = Q()
            for word in term.words:
                matches |= Q(subject__icontains=word) | Q(description__icontains=word)
            queryset = queryset.filter(matches)
        return queryset
    return queryset.filter(condition)
