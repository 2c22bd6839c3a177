"""Issue 10 item 17: the contact endpoints search with the directory's query, read, update and change identities,
scoped like the staff contact pages."""

import pytest
from django.utils import timezone

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.transfers import transfer
from civicdesk.channels.events import SenderIdentity
from civicdesk.contacts.models import Identity
from civicdesk.testing.factories import create_case, create_staff

from .conftest import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa(world):
    return create_case(service=world.pothole, subject="Hole", email="rosa@example.com", contact_name="Rosa Tester",
                       extra_identities=[SenderIdentity("phone", "+12155550123")]).contact


@pytest.fixture
def pia(world):
    return create_case(service=world.tree, subject="Tree", email="pia@example.net", contact_name="Pia Park").contact


def ids(client, **params):
    response = client.get("/api/contacts", params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_search_uses_the_directory_query_and_the_scope(works_api, parks_api, rosa, pia):
    assert ids(works_api) == {rosa.pk}
    assert ids(parks_api) == {pia.pk}
    for q in ["rosa", "ROSA@example.com", "(215) 555-0123", "555 0123"]:
        assert ids(works_api, q=q) == {rosa.pk}
    assert ids(works_api, q="pia") == set()
    body = works_api.get("/api/contacts", {"q": "rosa"}).json()
    assert body["count"] == 1 and body["has_next"] is False
    item = body["items"][0]
    assert item["name"] == "Rosa Tester" and item["kind"] == "resident"
    assert {i["value"] for i in item["identities"]} == {"rosa@example.com", "+12155550123"}


def test_reading_a_contact_is_scoped(works_api, parks_api, rosa, pia):
    detail = works_api.get(f"/api/contacts/{rosa.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["cases"] == [rosa.cases.get().number] and body["may_change"] is True
    assert parks_api.get(f"/api/contacts/{rosa.pk}").status_code == 404
    assert works_api.get(f"/api/contacts/{pia.pk}").status_code == 404
    assert works_api.get("/api/contacts/99999999").status_code == 404


def test_updating_name_type_and_language_is_audited(world, works_api, rosa):
    response = works_api.client.patch(f"/api/contacts/{rosa.pk}", {"name": "Rosa T.", "kind": "business",
                                                                    "language": "es"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Rosa T."
    rosa.refresh_from_db()
    assert (rosa.display_name, rosa.kind, rosa.language) == ("Rosa T.", "business", "es")
    assert AuditEntry.objects.filter(contact=rosa, action=AuditAction.CONTACT_CHANGED, actor=world.works_agent).exists()
    partial = works_api.client.patch(f"/api/contacts/{rosa.pk}", {"language": ""}, content_type="application/json")
    assert partial.status_code == 200
    rosa.refresh_from_db()
    assert (rosa.display_name, rosa.language) == ("Rosa T.", "")


@pytest.mark.parametrize("body, status", [({"kind": "alien"}, 422), ({"language": "xx"}, 400),
                                          ({"name": "n" * 201}, 422), ({"name": "a\x00b"}, 422)])
def test_bad_updates_are_refused(works_api, rosa, body, status):
    response = works_api.client.patch(f"/api/contacts/{rosa.pk}", body, content_type="application/json")
    assert response.status_code == status
    rosa.refresh_from_db()
    assert rosa.display_name == "Rosa Tester" and rosa.language == ""


def test_updates_are_refused_out_of_scope_and_on_the_transfer_trail(world, works_api, parks_api, rosa):
    def patch(client):
        return client.client.patch(f"/api/contacts/{rosa.pk}", {"name": "X"}, content_type="application/json")

    assert patch(parks_api).status_code == 404
    transfer(rosa.cases.get(), actor=world.works_agent, to_agency=world.parks, reason="Park")
    assert patch(works_api).status_code == 403
    assert works_api.get(f"/api/contacts/{rosa.pk}").json()["may_change"] is False
    rosa.refresh_from_db()
    assert rosa.display_name == "Rosa Tester"


def test_adding_and_removing_identities(world, works_api, rosa):
    added = works_api.post(f"/api/contacts/{rosa.pk}/identities", {"kind": "x", "value": "RosaT"})
    assert added.status_code == 201 and added.json()["value"] == "@rosat"
    invalid = works_api.post(f"/api/contacts/{rosa.pk}/identities", {"kind": "phone", "value": "12"})
    assert invalid.status_code == 400
    identity_id = added.json()["id"]
    removed = works_api.client.delete(f"/api/contacts/{rosa.pk}/identities/{identity_id}")
    assert removed.status_code == 204 and not Identity.objects.filter(pk=identity_id).exists()
    assert works_api.client.delete(f"/api/contacts/{rosa.pk}/identities/{identity_id}").status_code == 404


def test_an_identity_of_another_contact_is_a_409_naming_it_only_when_visible(world, works_api, rosa, pia):
    omar = create_case(service=world.pothole, subject="Light", email="omar@example.org").contact
    visible = works_api.post(f"/api/contacts/{rosa.pk}/identities", {"kind": "email", "value": "omar@example.org"})
    assert visible.status_code == 409 and visible.json()["contact"] == omar.pk
    hidden = works_api.post(f"/api/contacts/{rosa.pk}/identities", {"kind": "email", "value": "pia@example.net"})
    assert hidden.status_code == 409 and hidden.json()["contact"] is None
    assert Identity.objects.get(value="pia@example.net").contact_id == pia.pk


def test_identity_changes_respect_the_scope(world, works_api, parks_api, rosa):
    phone = rosa.identities.get(kind="phone")
    assert parks_api.post(f"/api/contacts/{rosa.pk}/identities", {"kind": "email", "value": "x@example.com"}
                          ).status_code == 404
    assert parks_api.client.delete(f"/api/contacts/{rosa.pk}/identities/{phone.pk}").status_code == 404
    create_case(service=world.tree, subject="Tree", email="rosa@example.com")  # a Parks case too
    refused = works_api.client.delete(f"/api/contacts/{rosa.pk}/identities/{phone.pk}")
    assert refused.status_code == 403 and "Parks and Recreation" in refused.json()["detail"]
    phone.opted_out_at = timezone.now()
    phone.save()
    admin = api_client_for(create_staff("root", role=StaffRole.ADMIN))
    kept = admin.client.delete(f"/api/contacts/{rosa.pk}/identities/{phone.pk}")
    assert kept.status_code == 400 and "no more messages" in kept.json()["detail"]
    assert Identity.objects.filter(pk=phone.pk).exists()


@pytest.mark.parametrize("path", ["/api/contacts/0", "/api/contacts/-1", "/api/contacts/abc",
                                  "/api/contacts/99999999999999999999999"])
def test_bad_contact_ids_are_a_4xx(works_api, path):
    assert 400 <= works_api.get(path).status_code < 500


def test_the_contact_endpoints_need_a_token(rosa):
    from django.test import Client

    assert Client().get("/api/contacts").status_code == 401
    assert Client().get(f"/api/contacts/{rosa.pk}").status_code == 401
