"""Typo tolerance: edit distance, how many edits a word may have, and lookups in a vocabulary."""

import pytest

from civicdesk.search.typos import Vocabulary, allowed_edits, edit_distance


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("street", "street", 0), ("stret", "street", 1), ("ligth", "light", 1), ("garbge", "garbage", 1),
    ("grafitti", "graffiti", 2), ("racoon", "raccoon", 1), ("pothole", "potholes", 1), ("cat", "dog", 3),
])
def test_edit_distance_counts_additions_deletions_changes_and_swaps(a, b, distance):
    assert edit_distance(a, b, limit=3) == distance


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("pothole", "streetlight", limit=2) == 3
    assert edit_distance("abcdefgh", "hgfedcba", limit=1) == 2


def test_short_words_are_taken_as_typed_longer_ones_get_one_then_two_edits():
    assert [allowed_edits(w) for w in ("bin", "stret", "garbage", "grafitti", "2026")] == [0, 1, 1, 2, 0]


def test_a_vocabulary_finds_the_closest_known_words():
    vocabulary = Vocabulary(["street", "streets", "light", "graffiti", "grafiti", "garbage", "bin"])
    assert vocabulary.near("stret") == [(1, "street")]
    assert vocabulary.near("ligth") == [(1, "light")]
    assert vocabulary.near("grafitti") == [(1, "grafiti"), (2, "graffiti")]
    assert vocabulary.near("street") == []  # known words are not typos
    assert vocabulary.near("bim") == []  # too short to guess
    assert vocabulary.near("zzzzzz") == []


def test_a_vocabulary_of_thousands_of_words_answers_from_its_neighbourhoods():
    vocabulary = Vocabulary([f"word{n:04d}x" for n in range(5000)] + ["pothole"])
    assert vocabulary.near("pothloe") == [(1, "pothole")]
    assert vocabulary.near("word0042")[0] == (1, "word0042x")
