"""The opt-out record as CSV: every opt-out and opt-in per number and sender, for an agency's own accounts."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from civicdesk.conversations.models import ConsentChange, ConsentSource

HEADER = ["at", "number", "our_number", "agency", "change", "source", "keyword", "staff", "case"]


def changes(agency_ids: Iterable[int] | None = None) -> QuerySet[ConsentChange]:
    """The changes on the accounts of these agencies (None: every agency), oldest first."""
    found = ConsentChange.objects.select_related("identity", "account__agency", "actor", "case").order_by("at", "pk")
    return found if agency_ids is None else found.filter(account__agency_id__in=list(agency_ids))


def rows(agency_ids: Iterable[int] | None = None) -> Iterator[list[str]]:
    """The header, then one row per change (read in chunks: a city's history may be long)."""
    yield HEADER
    for change in changes(agency_ids).iterator(chunk_size=2000):
        yield [
            timezone.localtime(change.at).isoformat(timespec="seconds"),
            change.identity.value,
            change.account.address,
            change.account.agency.slug,
            "opted_out" if change.opted_out else "opted_in",
            ConsentSource(change.source).value,
            change.keyword,
            change.actor.get_username() if change.actor else "",
            change.case.number if change.case else "",
        ]


class _Echo:
    """A file-like object whose write() hands the line back (csv.writer into a streaming response)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(agency_ids: Iterable[int] | None = None) -> Iterator[str]:
    writer: Any = csv.writer(_Echo())
    for row in rows(agency_ids):
        yield writer.writerow([_safe(cell) for cell in row])


def _safe(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula ("=...", "+1..." is a number we keep as text with a quote)."""
    return f"'{cell}" if cell[:1] in ("=", "-", "@", "\t", "\r") else cell
