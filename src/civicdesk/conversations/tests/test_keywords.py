"""Consent keywords and stop requests as words: whole-message keywords in two languages, phrases that ask to stop."""

from datetime import date

import pytest

from civicdesk.conversations.keywords import KEYWORDS, KeywordAction, keyword_of
from civicdesk.conversations.stop_intent import stop_request
from civicdesk.core.business_days import add_business_days

OPT_OUT_EN = ["STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "CANCEL"]
OPT_OUT_ES = ["PARAR", "ALTO", "BASTA"]


def variants(word: str) -> list[str]:
    return [word, word.lower(), word.capitalize(), f" {word.lower()}. ", f"{word.capitalize()}!", f"¡{word}!",
            f"*{word.lower()}*", f"\n{word}?\n"]


@pytest.mark.parametrize("word", OPT_OUT_EN + OPT_OUT_ES)
def test_every_opt_out_keyword_matches_whatever_its_case_and_surrounding_punctuation(word: str) -> None:
    for text in variants(word):
        found = keyword_of(text)
        assert found is not None and found.action == KeywordAction.OPT_OUT and found.word == word, text
        assert found.language == ("es" if word in OPT_OUT_ES else "en")


@pytest.mark.parametrize(("word", "action", "language"), [
    ("START", KeywordAction.OPT_IN, "en"), ("YES", KeywordAction.OPT_IN, "en"), ("UNSTOP", KeywordAction.OPT_IN, "en"),
    ("HELP", KeywordAction.HELP, "en"), ("INFO", KeywordAction.HELP, "en"), ("AYUDA", KeywordAction.HELP, "es"),
])
def test_opt_in_and_help_keywords_match_in_their_language(word: str, action: str, language: str) -> None:
    for text in variants(word):
        found = keyword_of(text)
        assert found is not None and (found.action, found.language) == (action, language), text


def test_the_keyword_list_is_exactly_the_issues() -> None:
    assert set(KEYWORDS) == {*OPT_OUT_EN, *OPT_OUT_ES, "START", "YES", "UNSTOP", "HELP", "INFO", "AYUDA"}


@pytest.mark.parametrize("text", ["stop by tomorrow please", "Please stop texting me", "STOP IT", "stop stop",
                                  "the END of the street", "", "   ", "!!!", "S T O P", "stopped", "cancel my request"])
def test_a_keyword_inside_a_sentence_is_not_a_keyword(text: str) -> None:
    assert keyword_of(text) is None


@pytest.mark.parametrize("text", [
    "please stop texting me", "Please STOP sending me messages", "don't text me anymore", "Do not contact me again",
    "unsubscribe me please", "no more texts please", "remove me from your list", "stop messaging me!", "Please stop",
    "no más mensajes", "No me manden más mensajes", "dejen de escribirme", "Ya no me escriban", "denme de baja",
    "Paren por favor",
])
def test_a_request_to_stop_without_a_keyword_is_recognised(text: str) -> None:
    assert stop_request(text)


@pytest.mark.parametrize("text", [
    "stop by tomorrow please", "The water will not stop running", "the leak doesn't stop", "no more water since Monday",
    "Hay un bache en la calle, no hay más luz", "Can someone stop the noise at night?", "There is a stop sign down",
    "I want to cancel my request", "The bus stop shelter is broken",
])
def test_sentences_that_mention_stopping_something_else_are_not_requests(text: str) -> None:
    assert stop_request(text) == ""


def test_ten_business_days_skip_weekends_and_federal_holidays() -> None:
    # Friday 2026-11-06: Veterans Day (Wed 11 Nov) and Thanksgiving (Thu 26 Nov) fall in the next three weeks
    assert add_business_days(date(2026, 11, 6), 10) == date(2026, 11, 23)
    assert add_business_days(date(2026, 9, 4), 10) == date(2026, 9, 21)  # the Friday before Labor Day
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)  # Independence Day observed on Friday 3 July
    assert add_business_days(date(2026, 12, 7), 10) == date(2026, 12, 21)  # a Monday, no holiday
