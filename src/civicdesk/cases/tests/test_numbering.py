"""Case numbers: one per case, in order; on PostgreSQL a group's numbers can be reserved by one statement."""

import pytest
from django.db import connection

from civicdesk.cases import numbering

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_within_a_year_and_start_again_in_the_next() -> None:
    first = numbering.next_case_number(2031)
    second = numbering.next_case_number(2031)
    assert first.startswith("CD-2031-") and int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert numbering.next_case_number(2032) == "CD-2032-000001"


def test_reserved_numbers_cost_no_statement_each_and_unused_ones_are_gaps(django_assert_num_queries) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite's counter stays gapless and is never reserved")
    start = int(numbering.next_case_number(2033).rsplit("-", 1)[1])
    with numbering.reserved(2033, 3):
        with django_assert_num_queries(0):
            taken = [numbering.next_case_number(2033) for _ in range(2)]
        assert numbering.next_case_number(2034) == "CD-2034-000001"  # another year is not reserved
    after = numbering.next_case_number(2033)
    assert taken == [f"CD-2033-{start + 1:06d}", f"CD-2033-{start + 2:06d}"]
    assert after == f"CD-2033-{start + 4:06d}"  # the third reserved number was not used: a gap, never a repeat
