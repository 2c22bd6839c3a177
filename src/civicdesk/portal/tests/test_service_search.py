"""The portal's service search: ranked results, "Did you mean", and a way on when nothing matches."""

import re

import pytest

from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    works = create_agency("public-works", "Public Works")
    sanitation = create_agency("sanitation", "Sanitation")
    create_service(works, "pothole", name="Pothole", group="Streets", keywords="hole, asphalt",
                   description="A hole in the road surface.", search_terms="hole in road\nbache")
    create_service(works, "streetlight-out", name="Street light out", group="Streets", keywords="lamp, dark",
                   description="A street light that is dark.", search_terms="broken light\nlamp post")
    create_service(sanitation, "missed-trash-pickup", name="Missed trash pickup", group="Trash",
                   keywords="garbage, recycling", description="Trash not collected on the scheduled day.",
                   search_terms="trash wasn't picked up\nbasura no recogida")
    create_service(sanitation, "illegal-dumping", name="Illegal dumping", group="Trash",
                   description="Trash dumped on public land.", search_terms="trash pile")
    return works


def result_names(html: str) -> list[str]:
    listing = re.search(r'<ol[^>]*aria-label="Matching services".*?</ol>', html, re.S)
    return re.findall(r'<a class="text-bold" href="[^"]+">([^<]+)</a>', listing.group(0)) if listing else []


def test_results_are_ranked_best_first_in_one_list(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        page = client.get("/services/", {"q": "trash"})
    html = page.content.decode()
    assert page.status_code == 200
    assert result_names(html) == ["Missed trash pickup", "Illegal dumping"]  # the name before the description
    assert "2 services match “trash”, best match first." in html
    assert result_names(client.get("/services/", {"q": "my trash wasn't picked up"}).content.decode())[0] == (
        "Missed trash pickup")
    assert 'id="trash"' not in html  # no topic headings around ranked results


def test_big_hole_in_road_finds_the_pothole(client, catalogue):
    html = client.get("/services/", {"q": "big hole in road"}).content.decode()
    assert result_names(html) == ["Pothole"]
    assert "One service matches “big hole in road”." in html


def test_a_spanish_search_term_finds_its_service(client, catalogue):
    assert result_names(client.get("/services/", {"q": "baches"}).content.decode()) == ["Pothole"]
    assert result_names(client.get("/services/", {"q": "basura no recogida"}).content.decode())[0] == (
        "Missed trash pickup")


def test_a_corrected_typo_is_offered_as_a_link(client, catalogue):
    html = client.get("/services/", {"q": "stret lamp"}).content.decode()
    assert result_names(html)[0] == "Street light out"
    assert 'Did you mean <a href="/services/?q=street+lamp">street lamp</a>?' in html


def test_no_match_keeps_the_message_with_links_to_all_services_and_a_general_question(client, catalogue):
    html = client.get("/services/", {"q": "zzz"}).content.decode()
    assert "No services match “zzz”. Try other words" in html
    assert '<a href="/services/">see all services</a>' in html
    assert "ask a general question" not in html  # this city has no general question service
    create_service(catalogue, "general-question", name="General question", group="General")
    html = client.get("/services/", {"q": "zzz"}).content.decode()
    assert '<a href="/services/general-question/">ask a general question</a>' in html
    assert "Did you mean" not in html


def test_inactive_services_and_agencies_are_not_found(client, catalogue):
    create_service(create_agency("closed", "Closed", is_active=False), "pothole-2", name="Pothole repair")
    create_service(catalogue, "pothole-3", name="Pothole filling", is_active=False)
    assert result_names(client.get("/services/", {"q": "pothole"}).content.decode()) == ["Pothole"]


def test_without_a_query_every_service_is_listed_by_topic(client, catalogue):
    for q in ("", "   "):
        html = client.get("/services/", {"q": q}).content.decode()
        assert 'id="streets"' in html and 'id="trash"' in html and "Matching services" not in html


@pytest.mark.parametrize("q", ["x" * 5000, "’‘`" * 50, "🙂 pothole 🙂", "a'b'c'd", "-- ; DROP TABLE", "<script>"])
def test_odd_searches_are_answered_not_failed(client, catalogue, q):
    page = client.get("/services/", {"q": q})
    assert page.status_code == 200 and b"<script>" not in page.content
