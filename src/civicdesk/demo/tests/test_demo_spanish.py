"""The demo city ships complete Spanish: every agency, service, topic, question and answer label."""

import pytest

from civicdesk.agencies.models import Agency, Service, ServiceAttribute
from civicdesk.demo import data
from civicdesk.demo.actions import seed_agencies, seed_services

pytestmark = pytest.mark.django_db


def test_every_agency_service_question_and_answer_of_riverbend_has_spanish() -> None:
    seed_services(seed_agencies())
    for agency in Agency.objects.all():
        assert agency.translations["es"]["name"] and agency.translations["es"]["description"], agency.slug
    for service in Service.objects.all():
        spanish = service.translations["es"]
        assert spanish["name"] and spanish["description"] and spanish["group"], service.code
        assert spanish["name"] != service.name or service.code == "graffiti", service.code  # "Grafiti" differs
    for attribute in ServiceAttribute.objects.select_related("service"):
        spanish = attribute.translations["es"]
        assert spanish["description"] and spanish["description"] != attribute.description, attribute
        assert set(spanish.get("values", {})) == set(attribute.value_keys), attribute
        assert all(label.strip() for label in spanish.get("values", {}).values()), attribute
    assert Service.objects.count() == len(data.SERVICES)


def test_the_spanish_follows_spanish_punctuation() -> None:
    seed_services(seed_agencies())
    for attribute in ServiceAttribute.objects.all():
        question = attribute.translations["es"]["description"]
        assert question.endswith("?") == question.startswith("¿"), question
