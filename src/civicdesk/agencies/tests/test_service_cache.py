"""The per-process cache of service definitions: reused for SERVICE_CACHE_SECONDS, cleared by admin edits."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicdesk.agencies.models import Service
from civicdesk.agencies.queries import active_service
from civicdesk.testing.factories import create_agency, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def pothole() -> Service:
    return create_service(create_agency("public-works"), "pothole", attributes=[{"code": "size", "required": True}])


def test_a_definition_is_read_once_then_reused(pothole: Service) -> None:
    first = active_service("pothole")
    assert first is not None and first.agency.slug == "public-works"
    assert [a.code for a in first.attributes.all()] == ["size"]
    with CaptureQueriesContext(connection) as queries:
        again = active_service("pothole")
        assert again is first and [a.code for a in again.attributes.all()] == ["size"]
    assert len(queries) == 0


def test_no_cache_time_means_every_call_reads(settings: Any, pothole: Service) -> None:
    settings.SERVICE_CACHE_SECONDS = 0
    active_service("pothole")
    Service.objects.filter(pk=pothole.pk).update(name="Road hole")
    assert active_service("pothole").name == "Road hole"  # type: ignore[union-attr]


def test_unknown_codes_are_not_remembered(pothole: Service) -> None:
    assert active_service("graffiti") is None
    create_service(pothole.agency, "graffiti")
    assert active_service("graffiti") is not None


def test_an_admin_edit_clears_this_process_copy(admin_client: Any, pothole: Service) -> None:
    assert active_service("pothole").name == "Pothole"  # type: ignore[union-attr]
    attribute = pothole.attributes.get()
    data = {"code": "pothole", "name": "Road hole", "group": "Streets", "agency": pothole.agency_id,
            "description": "", "keywords": "", "is_active": "on", "is_realtime": "on",
            "attributes-TOTAL_FORMS": 1, "attributes-INITIAL_FORMS": 1, "attributes-MIN_NUM_FORMS": 0,
            "attributes-MAX_NUM_FORMS": 1000, "attributes-0-id": attribute.pk, "attributes-0-service": pothole.pk,
            "attributes-0-code": "size", "attributes-0-datatype": "string", "attributes-0-description": "How big?",
            "attributes-0-order": 0, "attributes-0-variable": "on"}
    response = admin_client.post(reverse("admin:agencies_service_change", args=[pothole.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fresh = active_service("pothole")
    assert fresh is not None and fresh.name == "Road hole"
    assert [a.required for a in fresh.attributes.all()] == [False]
