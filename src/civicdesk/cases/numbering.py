"""Issuing case numbers like CD-2026-000123: a per-year counter row (SQLite), a per-year sequence (PostgreSQL)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from civicdesk.cases.models import CaseCounter

_reserved: ContextVar[tuple[int, list[int]] | None] = ContextVar("reserved_case_numbers", default=None)


def format_case_number(year: int, sequence: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{sequence:06d}"


def next_case_number(year: int) -> str:
    """The next number of the year. Must run inside the transaction that creates the case."""
    if connection.vendor == "postgresql":
        pool = _reserved.get()
        if pool is not None and pool[0] == year and pool[1]:
            return format_case_number(year, pool[1].pop(0))
        return format_case_number(year, _next_from_sequence(year))
    return format_case_number(year, _next_from_counter(year))


@contextmanager
def reserved(year: int, count: int) -> Iterator[None]:
    """Inside, the year's next `count` numbers come from one nextval() call for all of them (PostgreSQL: the inbound
    batch worker's group of texts from new numbers, one round trip instead of one per case). Numbers left unused
    are gaps, as a rolled-back intake leaves; SQLite's counter stays gapless and is not reserved."""
    if connection.vendor != "postgresql" or count < 2:
        yield
        return
    first = _next_from_sequence(year)  # makes the sequence when it is the year's first number
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence_name(year), count - 1])
        rest = [int(row[0]) for row in cursor.fetchall()]
    token = _reserved.set((year, [first, *rest]))
    try:
        yield
    finally:
        _reserved.reset(token)


def _next_from_counter(year: int) -> int:
    """UPDATE ... RETURNING on the year's row: gapless, and the row lock lasts until commit (SQLite serialises
    writers anyway). The year's row is made first when it does not exist yet."""
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    sql = f'UPDATE {table} SET "last" = "last" + 1 WHERE "year" = %s RETURNING "last"'
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            CaseCounter.objects.get_or_create(year=year)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return int(row[0])


def sequence_name(year: int) -> str:
    return f"cases_case_number_{int(year)}"


def _next_from_sequence(year: int) -> int:
    """nextval of the year's sequence: no row lock, so concurrent intakes do not queue behind one counter row until
    each commits (a rolled-back intake leaves a gap). The sequence starts after the year's CaseCounter value, which
    the demo seeder and the bench generator set for the numbers they write."""
    name = sequence_name(year)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])  # NULL, not an error, while it does not exist
        value = cursor.fetchone()[0]
        if value is None:
            start = (CaseCounter.objects.filter(year=year).values_list("last", flat=True).first() or 0) + 1
            try:
                with transaction.atomic():  # another intake may be creating it right now
                    cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {int(start)}")
            except DatabaseError:
                pass
            cursor.execute("SELECT nextval(%s)", [name])
            value = cursor.fetchone()[0]
    return int(value)
