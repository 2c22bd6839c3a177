"""Translated catalogue content: per-language texts with English as the fallback, edited as plain admin fields."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from civicdesk.agencies.models import Service
from civicdesk.agencies.tests.test_admin import service_data
from civicdesk.agencies.translations import service_texts
from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def service() -> Service:
    return create_service(create_agency("public-works", "Public Works"), "pothole", name="Pothole",
                          description="A hole in the road.", group="Streets",
                          translations={"es": {"name": "Bache", "description": "  "}})


def test_a_translation_shows_in_its_language_and_english_fills_the_gaps(service: Service) -> None:
    assert service.text("name", "es") == "Bache"
    assert service.text("description", "es") == "A hole in the road."  # blank: the English text
    assert service.text("group", "es") == "Streets"  # missing: the English text
    assert service.text("name", "en") == "Pothole" and service.text("name", "fr") == "Pothole"
    with translation.override("es"):
        assert service.translated.name == "Bache" and service.translated.group == "Streets"
    with translation.override("en"):
        assert service.translated.name == "Pothole"


def test_answer_labels_fall_back_one_by_one() -> None:
    service = create_service(create_agency("parks"), attributes=[{
        "code": "size", "datatype": "singlevaluelist", "description": "How big?",
        "values": [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}],
        "translations": {"es": {"description": "¿Qué tamaño?", "values": {"small": "Pequeño"}}}}])
    attribute = service.attributes.get()
    assert attribute.choices("es") == [("small", "Pequeño"), ("large", "Large")]
    assert attribute.choices("en") == [("small", "Small"), ("large", "Large")]
    with translation.override("es"):
        assert attribute.choices() == [("small", "Pequeño"), ("large", "Large")]
        assert attribute.translated.description == "¿Qué tamaño?"


@pytest.mark.parametrize(("translations", "message"), [
    ([], "Give an object"),
    ({"fr": {"name": "Nid-de-poule"}}, "'fr' is not one of the site's other languages"),
    ({"en": {"name": "Pothole"}}, "'en' is not one of the site's other languages"),  # English is the columns
    ({"es": "Bache"}, "Give the 'es' texts as an object"),
    ({"es": {"keywords": "hoyo"}}, "'keywords' cannot be translated here"),
    ({"es": {"values": {"a": "b"}}}, "'values' cannot be translated here"),  # only questions have answers
    ({"es": {"name": 3}}, "must be text"),
])
def test_translations_are_checked(service: Service, translations: Any, message: str) -> None:
    service.translations = translations
    with pytest.raises(ValidationError, match=message):
        service.full_clean()


def test_search_gets_each_language_of_a_service(service: Service) -> None:
    assert service_texts(service) == [("en", "Pothole", "A hole in the road."), ("es", "Bache", "A hole in the road.")]
    service.translations = {}
    assert service_texts(service) == [("en", "Pothole", "A hole in the road.")]


def test_admins_edit_spanish_as_fields_of_the_service_and_its_questions(admin_client: Any) -> None:
    values = '[{"key": "wall", "name": "Wall"}, {"key": "sign", "name": "Sign"}]'
    data = service_data(values=values)
    data.update({"translation_es_name": "Grafiti", "translation_es_description": "", "translation_es_group": "Calles",
                 "attributes-0-translation_es_description": "¿Sobre qué superficie?",
                 "attributes-0-translation_es_values": "wall: Una pared\n\nsign: Un letrero\n"})
    page = admin_client.get(reverse("admin:agencies_service_add")).content.decode()
    assert "Name (Español)" in page and "Answer labels (Español)" in page
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 302, response.content
    service = Service.objects.get(code="graffiti")
    assert service.translations == {"es": {"name": "Grafiti", "group": "Calles"}}
    assert service.attributes.get().translations == {
        "es": {"description": "¿Sobre qué superficie?", "values": {"wall": "Una pared", "sign": "Un letrero"}}}
    change = admin_client.get(reverse("admin:agencies_service_change", args=[service.pk])).content.decode()
    assert 'value="Grafiti"' in change and "wall: Una pared" in change


def test_a_badly_written_answer_label_is_refused_with_its_line(admin_client: Any) -> None:
    data = service_data(values='[{"key": "wall", "name": "Wall"}]')
    data["attributes-0-translation_es_values"] = "wall: Una pared\nsign"
    response = admin_client.post(reverse("admin:agencies_service_add"), data)
    assert response.status_code == 200 and "Line 2: write each answer as" in response.content.decode()
    assert not Service.objects.exists()


def test_agency_names_are_translated_in_the_admin_too(admin_client: Any) -> None:
    agency = create_agency("parks", "Parks and Recreation")
    response = admin_client.post(reverse("admin:agencies_agency_change", args=[agency.pk]), {
        "slug": "parks", "name": "Parks and Recreation", "is_active": "on", "translation_es_name": "Parques",
        "translation_es_description": "", "teams-TOTAL_FORMS": 0, "teams-INITIAL_FORMS": 0,
        "teams-MIN_NUM_FORMS": 0, "teams-MAX_NUM_FORMS": 1000})
    assert response.status_code == 302, response.content
    agency.refresh_from_db()
    assert agency.translations == {"es": {"name": "Parques"}} and agency.text("name", "es") == "Parques"
