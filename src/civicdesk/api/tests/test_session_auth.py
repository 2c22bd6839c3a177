"""The signed-in staff session works with the API (the docs page's "Try it out"): reads as is, writes only with the
CSRF token; never for non-staff, nor for an administrator short of two-factor; a token still wins. Every operation
documents 401 and 429."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.testing.signin import staff_login

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def session_client(user, *, csrf_checks: bool = True) -> Client:
    return staff_login(Client(enforce_csrf_checks=csrf_checks), user)


def csrf_token(client: Client) -> str:
    client.get("/api/docs")  # the docs page sets the CSRF cookie, as in the browser
    return client.cookies["csrftoken"].value


def test_a_signed_in_agent_reads_with_the_session(world, works_case, parks_case):
    client = session_client(world.works_agent)
    body = client.get("/api/cases").json()
    assert [item["number"] for item in body["items"]] == [works_case.number]  # scoped like the inbox
    assert client.get(f"/api/cases/{parks_case.number}").status_code == 404


def test_writes_with_the_session_need_the_csrf_token(world, works_case):
    client = session_client(world.works_agent)
    path = f"/api/cases/{works_case.number}/tags"
    refused = client.post(path, {"tag": "no token"}, content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not works_case.tags.exists()
    token = csrf_token(client)
    done = client.post(path, {"tag": "with token"}, content_type="application/json", headers={"X-CSRFToken": token})
    assert done.status_code == 200 and done.json()["tags"] == ["with-token"]
    assert AuditEntry.objects.get(case=works_case, action=AuditAction.TAGS_CHANGED).actor == world.works_agent


def test_the_docs_page_carries_the_csrf_token_and_our_own_assets(world):
    client = session_client(world.works_agent)
    page = client.get("/api/docs").content.decode()
    token = client.cookies["csrftoken"].value
    assert '<html lang="en">' in page and "<main" in page and "data-csrf-token=" in page and token
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/api/docs.js" in page
    assert "/static/api/docs.css" in page and "cdn" not in page.lower()
    assert "Signed in as wanda" in page
    assert "Not signed in" in Client().get("/api/docs").content.decode()


def test_no_session_for_non_staff_or_an_admin_without_two_factor(world, works_case):
    resident = get_user_model().objects.create_user("resident", password="x")
    plain = Client()
    plain.force_login(resident)
    assert plain.get("/api/cases").status_code == 401
    half_signed_in = Client()
    half_signed_in.force_login(world.admin)  # password only: an admin still owes the code
    assert half_signed_in.get("/api/cases").status_code == 401
    assert session_client(world.admin).get("/api/cases").status_code == 200  # past two-factor


def test_a_bad_token_is_a_401_even_with_a_session(world, works_case):
    client = session_client(world.works_agent, csrf_checks=False)
    response = client.get("/api/cases", headers={"Authorization": "Bearer cdt_wrong"})
    assert response.status_code == 401
    assert ApiClient("cdt_wrong").get("/api/cases").status_code == 401


def test_the_session_is_rate_limited_too(world, settings):
    settings.API_RATE_LIMIT = 2
    client = session_client(world.works_agent)
    assert [client.get("/api/cases").status_code for _ in range(2)] == [200, 200]
    limited = client.get("/api/cases")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1


def test_every_operation_documents_401_and_429(world):
    schema = Client().get("/api/openapi.json").json()
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 14
    for path, method, operation in operations:
        assert {"401", "429"} <= set(operation["responses"]), (method, path)
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    for path in ("/api/services", "/api/services/{code}", "/api/tags", "/api/cases/{number}/tags",
                 "/api/cases/{number}/tags/{tag}", "/api/cases/{number}/links", "/api/cases/{number}/merge"):
        assert path in schema["paths"], path
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert "ErrorOut" in schema["components"]["schemas"]
