"""Issuing case numbers like CD-2026-000123 from a per-year counter."""

from django.conf import settings
from django.db import connection

from civicdesk.cases.models import CaseCounter


def format_case_number(year: int, sequence: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{sequence:06d}"


def next_case_number(year: int) -> str:
    """Must run inside a transaction: the UPDATE holds the row lock until commit.

    One statement in the usual case (UPDATE ... RETURNING, on SQLite 3.35+ and PostgreSQL); the year's row is
    made first when it does not exist yet.
    """
    table = connection.ops.quote_name(CaseCounter._meta.db_table)
    sql = f'UPDATE {table} SET "last" = "last" + 1 WHERE "year" = %s RETURNING "last"'
    with connection.cursor() as cursor:
        cursor.execute(sql, [year])
        row = cursor.fetchone()
        if row is None:
            CaseCounter.objects.get_or_create(year=year)
            cursor.execute(sql, [year])
            row = cursor.fetchone()
    return format_case_number(year, row[0])
