"""Reading a staff search into terms: emails, phone numbers, case-number fragments, street words and typos."""

import pytest

from civicdesk.cases.search_terms import MAX_TERMS, Term, one_edit_away, query_terms


def test_an_email_address_is_one_compact_word():
    assert query_terms("Rosa.Tester+x@Example.com") == [Term(("rosatesterxexamplecom",))]
    assert query_terms("rosa.tester") == [Term(("rosa",), fuzzy=True), Term(("tester",), fuzzy=True)]


@pytest.mark.parametrize(("text", "digits"), [("+1 215 555 0100", "12155550100"), ("(215) 555-0100", "2155550100"),
                                              ("215.555.0100", "2155550100"), ("555 0100", "5550100"),
                                              ("555-01", "55501"), ("0100", "0100"), ("2001", "2001")])
def test_phone_numbers_and_number_fragments_are_digit_prefixes(text, digits):
    assert query_terms(text) == [Term((digits,), prefix=True)]


def test_short_numbers_and_spaced_groups_stay_words():
    assert query_terms("100 Main St") == [Term(("100",)), Term(("main",), fuzzy=True),
                                          Term(("st", "saint", "street"))]
    assert query_terms("12 34") == [Term(("12",)), Term(("34",))]
    assert query_terms("1st avenue") == [Term(("1st",)), Term(("avenue", "ave"))]


def test_a_case_number_fragment_is_a_prefix_of_the_compact_number():
    assert query_terms("CD-2026-0020") == [Term(("cd20260020",), prefix=True)]
    assert query_terms("rb-2025 pothole")[0] == Term(("rb2025",), prefix=True)


def test_only_unknown_looking_words_may_be_widened():
    assert [t.fuzzy for t in query_terms("the hubcap is gone now")] == [False, True, False, True, False]


def test_one_edit_away_covers_drops_additions_changes_and_swaps():
    near = set(one_edit_away("hubcapp"))
    assert {"hubcap", "hubcaps", "hubcpap", "hubcalp"} <= near and "hubcapp" not in near
    assert Term(("rsoa",), fuzzy=True).widened().words[:1] == ("rsoa",)
    assert "rosa" in Term(("rsoa",), fuzzy=True).widened().words


def test_a_long_search_is_cut_to_the_first_terms():
    assert len(query_terms(" ".join(f"word{i}" for i in range(40)))) == MAX_TERMS
