"""Issuing case numbers like CD-2026-000123 from a per-year counter."""

from django.conf import settings
from django.db.models import F

from civicdesk.cases.models import CaseCounter


def format_case_number(year: int, sequence: int) -> str:
    return f"{settings.CASE_NUMBER_PREFIX}-{year}-{sequence:06d}"


def next_case_number(year: int) -> str:
    """Must run inside a transaction: the UPDATE holds the row lock until commit."""
    CaseCounter.objects.get_or_create(year=year)
    CaseCounter.objects.filter(year=year).update(last=F("last") + 1)
    sequence = CaseCounter.objects.values_list("last", flat=True).get(year=year)
    return format_case_number(year, sequence)
