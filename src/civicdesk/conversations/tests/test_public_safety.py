"""Issue 12 item 6: the detector of personal data in a draft for a public reply, in English and Spanish writing."""

import pytest

from civicdesk.conversations.public_safety import (
    FindingKind,
    PrivateDetails,
    find_addresses,
    find_personal_data,
    kinds_found,
)


def found(text, details=None, **kwargs):
    return [(f.kind, f.text) for f in find_personal_data(text, details, **kwargs)]


@pytest.mark.parametrize("text, expected", [
    ("Write to rosa.tester@example.com please", [(FindingKind.EMAIL, "rosa.tester@example.com")]),
    ("Escríbanos a ana+obras@correo.gob.es.", [(FindingKind.EMAIL, "ana+obras@correo.gob.es")]),
    ("Call (215) 555-0123 today", [(FindingKind.PHONE, "(215) 555-0123")]),
    ("Call 215.555.0123", [(FindingKind.PHONE, "215.555.0123")]),
    ("Llámenos al 612 34 56 78", [(FindingKind.PHONE, "612 34 56 78")]),
    ("o al +34 912 345 678", [(FindingKind.PHONE, "+34 912 345 678")]),
    ("London office: +44 20 7946 0958", [(FindingKind.PHONE, "+44 20 7946 0958")]),
])
def test_email_addresses_and_phone_numbers_are_found_in_english_and_spanish(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text, address", [
    ("We fixed the hole at 1200 N. Elm Street yesterday.", "1200 N. Elm Street"),
    ("We fixed the hole at 1200 Elm Street.", "1200 Elm Street"),
    ("The crew is at 55 Martin Luther King Jr Blvd now", "55 Martin Luther King Jr Blvd"),
    ("outside 12b oak st, thanks", "12b oak st"),
    ("at 400 5th Ave", "400 5th Ave"),
    ("Hemos revisado la Calle Mayor 12 esta mañana", "Calle Mayor 12"),
    ("en la C/ de la Paz, 5, 3º B", "C/ de la Paz, 5"),
    ("frente a Avda. de América nº 14", "Avda. de América nº 14"),
    ("en el Paseo del Prado número 3", "Paseo del Prado número 3"),
])
def test_street_addresses_are_found_in_english_and_spanish_writing(text, address):
    assert found(text) == [(FindingKind.ADDRESS, address)]


@pytest.mark.parametrize("text", [
    "We sent 3 crews on Tuesday and 2 trucks.",
    "We have 12 potholes to fix this street season.",
    "Your request PW-2026-000123 was closed on May 5, 2026.",
    "Thanks, we have 300 reports and 10000 units of asphalt",
    "Hemos enviado 2 cuadrillas a la calle esta mañana.",
    "Gracias. Lo revisamos en 48 horas.",
    "",
])
def test_ordinary_replies_with_numbers_are_not_flagged(text):
    assert found(text) == []


def test_the_citys_own_streets_make_an_address_without_a_street_word():
    assert found("We are at 45 Larchwood now", streets=["Larchwood"]) == [(FindingKind.ADDRESS, "45 Larchwood")]
    assert find_addresses("We are at 45 Larchwood now") == []


def test_the_cases_private_values_are_found_as_whole_words_ignoring_case_and_accents():
    details = PrivateDetails(values=("Rosa Téster", "+12155550123", "Ed"))
    assert found("Thanks ROSA tester, we are on it", details) == [(FindingKind.PRIVATE, "ROSA tester")]
    assert found("Gracias, Rosa Téster", details) == [(FindingKind.PRIVATE, "Rosa Téster")]
    assert found("Thanks Rosa Testerman", details) == []
    assert found("Edited: we are on it", details) == []  # too short a value to look for
    assert found("number +12155550123 noted", details) == [(FindingKind.PHONE, "+12155550123")]


def test_words_quoted_from_a_private_note_are_found():
    details = PrivateDetails(notes=("Neighbour says the dog in the yard bites everyone who passes.", "Gate code 4"))
    result = found("Update: the dog in the yard bites, so we wait for animal control.", details)
    assert result == [(FindingKind.PRIVATE, "the dog in the yard bites")]
    assert found("Your gate code 4 works", details) == [(FindingKind.PRIVATE, "gate code 4")]
    assert found("The dog was friendly today.", details) == []


def test_overlapping_findings_are_reported_once_and_in_order():
    details = PrivateDetails(values=("rosa@example.com", "Rosa Tester"))
    result = found("Rosa Tester (rosa@example.com) at 12 Elm St", details)
    assert result == [(FindingKind.PRIVATE, "Rosa Tester"), (FindingKind.EMAIL, "rosa@example.com"),
                      (FindingKind.ADDRESS, "12 Elm St")]
    assert kinds_found(find_personal_data("12 Elm St, rosa@example.com, x@y.org")) == ["email", "address"]
