"""The demo city's services found the way residents ask for them, and search terms edited in the admin."""

from typing import Any

import pytest
from django.urls import reverse

from civicdesk.agencies.models import Service
from civicdesk.agencies.search import search_services, service_texts
from civicdesk.demo import data
from civicdesk.demo.search_terms import SEARCH_TERMS
from civicdesk.search.documents import ANY_LANGUAGE, Field
from civicdesk.testing.factories import create_agency, create_service


def demo_services() -> list[Service]:
    """The demo catalogue as unsaved services: the search reads only their text."""
    return [Service(code=s["code"], name=s["name"], group=s["group"], description=s["description"],
                    keywords=s["keywords"], search_terms="\n".join(SEARCH_TERMS.get(s["code"], [])))
            for s in data.SERVICES]


# What residents type, and the service that must come first.
QUERIES = [
    ("big hole in road", "pothole"),
    ("my trash wasn't picked up", "missed-trash-pickup"),
    ("my trash wasnt picked up", "missed-trash-pickup"),
    ("garbage truck didn't come", "missed-trash-pickup"),
    ("stret light broken", "streetlight-out"),
    ("streetlight out", "streetlight-out"),
    ("the lamp post on my corner is dark", "streetlight-out"),
    ("graffiti on wall", "graffiti"),
    ("someone spray painted the bridge", "graffiti"),
    ("dead raccoon", "dead-animal"),
    ("dead racoon in front of my house", "dead-animal"),
    ("tree fell on the sidewalk", "tree-down"),
    ("traffic lights stuck on red", "traffic-signal"),
    ("cracked sidewalk", "broken-sidewalk"),
    ("the street wasn't plowed", "snow-removal"),
    ("old couch to get rid of", "bulky-item-pickup"),
    ("pile of tires dumped in the alley", "illegal-dumping"),
    ("rats everywhere", "rodent-sighting"),
    ("neighbors playing loud music", "noise-complaint"),
    ("car hasn't moved in weeks", "abandoned-vehicle"),
    ("hydrant leaking", "water-leak"),
    ("storm drain clogged with leaves", "clogged-storm-drain"),
    ("no heat in my apartment", "housing-code-violation"),
    ("broken swing at the playground", "playground-damage"),
    ("grass not mowed in the park", "park-maintenance"),
    ("question about a permit", "general-question"),
    ("potholes", "pothole"),
    ("grafitti", "graffiti"),
    ("garbge", "missed-trash-pickup"),
    ("bache", "pothole"),
    ("basura no recogida", "missed-trash-pickup"),
    ("no recogieron la basura", "missed-trash-pickup"),
    ("farola apagada", "streetlight-out"),
    ("árbol caído", "tree-down"),
    ("arbol caido en la calle", "tree-down"),
    ("semaforo descompuesto", "traffic-signal"),
    ("ratas", "rodent-sighting"),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_residents_words_find_the_right_demo_service_first(query: str, expected: str) -> None:
    found = [s.code for s in search_services(query, demo_services()).services]
    assert found and found[0] == expected, found[:5]


def test_a_corrected_typo_is_offered_as_the_query_to_try() -> None:
    results = search_services("stret light broken", demo_services())
    assert results.suggestion == "street light broken"
    assert search_services("big hole in road", demo_services()).suggestion == ""


def test_nonsense_finds_nothing() -> None:
    assert search_services("zzzz qqqq", demo_services()).services == []


def test_every_demo_service_has_search_terms() -> None:
    assert set(SEARCH_TERMS) == {s["code"] for s in data.SERVICES}
    assert all(len(terms) >= 10 for terms in SEARCH_TERMS.values())


def test_the_hook_reads_the_english_fields_and_the_terms_in_any_language() -> None:
    service = Service(code="pothole", name="Pothole", description="A hole.", group="Streets", keywords="road",
                      search_terms="bache")
    assert [(t.language, t.field, t.text) for t in service_texts(service, "en")] == [
        ("en", Field.NAME, "Pothole"), ("en", Field.KEYWORDS, "road"), ("en", Field.TOPIC, "Streets"),
        ("en", Field.DESCRIPTION, "A hole."), (ANY_LANGUAGE, Field.TERMS, "bache")]


def test_translated_names_and_descriptions_are_read_in_their_language() -> None:
    service = Service(code="missed", name="Missed trash pickup", description="Trash not collected.", group="Trash")
    service.translations = {"es": {"name": "Recolección de basura no realizada", "group": "Basura",  # type: ignore
                                   "description": "La basura no se recogió el día previsto."}}
    texts = list(service_texts(service, "en"))
    assert ("es", Field.NAME, "Recolección de basura no realizada") in texts
    assert [s.code for s in search_services("no recogieron mi basura", [service]).services] == ["missed"]
    assert [s.code for s in search_services("recolecciones", [service]).services] == ["missed"]


@pytest.mark.django_db
def test_search_terms_edited_in_the_admin_are_searched_at_once(admin_client: Any) -> None:
    agency = create_agency("public-works")
    service = create_service(agency, "pothole", name="Pothole", keywords="road")
    services = lambda: list(Service.objects.all())  # noqa: E731
    assert search_services("sinkhole", services()).services == []
    page = admin_client.get(reverse("admin:agencies_service_change", args=[service.pk]))
    assert b'name="search_terms"' in page.content
    Service.objects.filter(pk=service.pk).update(search_terms="sinkhole\ncrater in the street")
    assert [s.code for s in search_services("sinkhole", services()).services] == ["pothole"]
