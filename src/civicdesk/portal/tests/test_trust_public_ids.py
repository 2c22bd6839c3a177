"""Issue #7 item 2 (second half): public URLs and Open311 ids use a random public id, so a stranger cannot walk
the sequential case numbers; residents still look up by number and email."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.test import Client

from civicdesk.cases.models import Case, Direction
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"


def submitted(valid_data, capture):
    browser = Client()
    with capture(execute=True):
        browser.post(FORM_URL, valid_data)
    return browser, Case.objects.get()


def test_the_lookup_redirects_to_a_status_url_without_the_case_number(service, valid_data,
                                                                      django_capture_on_commit_callbacks):
    _browser, case = submitted(valid_data, django_capture_on_commit_callbacks)
    resident = Client()
    found = resident.post("/status/", {"number": case.number, "email": "ada@example.com"})
    assert found.status_code == 302 and case.number not in found.url
    assert resident.get(found.url).status_code == 200


def test_the_sequential_number_opens_no_status_page_even_for_its_resident(service, valid_data,
                                                                          django_capture_on_commit_callbacks):
    browser, case = submitted(valid_data, django_capture_on_commit_callbacks)  # this browser is verified
    assert browser.get(f"/status/{case.number}/").status_code == 404
    assert Client().get(f"/status/{case.number}/").status_code == 404


def test_public_ids_are_long_random_and_unrelated_to_the_number(service):
    cases = [create_case(service=service, email=f"r{i}@example.com") for i in range(5)]
    ids = [c.public_id for c in cases]
    assert len(set(ids)) == 5 and all(len(i) >= 16 and i.isalnum() for i in ids)
    assert all(c.number.split("-")[-1] not in c.public_id for c in cases)


def test_the_acknowledgement_links_to_the_public_id_status_page(service, valid_data, settings,
                                                                django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _browser, case = submitted(valid_data, django_capture_on_commit_callbacks)
    ack = case.messages.get(direction=Direction.OUTBOUND, is_automatic=True)
    assert f"/status/{case.public_id}/" in ack.body_text
    assert f"/status/{case.number}" not in ack.body_text
    assert case.number in ack.subject  # the human number stays the case's name in mail
    assert any(f"/status/{case.public_id}/" in m.body for m in mail.outbox)


def test_open311_ids_are_public_ids_and_sequential_numbers_find_nothing(service, client):
    case = create_case(channel="web", service=service, email="r@example.com")
    by_number = client.get(f"/open311/v2/requests/{case.number}.json")
    assert by_number.status_code == 404
    assert json.loads(client.get("/open311/v2/requests.json", {"service_request_id": case.number}).content) == []
    [item] = json.loads(client.get(f"/open311/v2/requests/{case.public_id}.json").content)
    assert item["service_request_id"] == case.public_id


def test_the_data_migration_gives_every_existing_case_a_unique_public_id(service):
    cases = [create_case(service=service, email=f"m{i}@example.com") for i in range(3)]
    Case.objects.update(public_id=None)
    migration = importlib.import_module("civicdesk.cases.migrations.0007_case_public_id_and_private_messages")
    migration.backfill_public_ids(apps, SimpleNamespace(connection=connection))
    ids = list(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("public_id", flat=True))
    assert None not in ids and len(set(ids)) == 3
