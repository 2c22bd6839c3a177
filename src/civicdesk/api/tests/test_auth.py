"""Personal tokens: `civicdesk token create` prints one that works as a bearer token; bad or revoked ones do not."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from civicdesk.api.actions import create_token, revoke_token
from civicdesk.api.models import ApiToken

from .conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_token_create_command_prints_a_working_token(world, works_case):
    out = StringIO()
    call_command("token", "create", world.works_agent.username, "--name", "script", stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("cdt_") and len(raw) > 40
    stored = ApiToken.objects.get(user=world.works_agent)
    assert stored.token_hash != raw and raw not in stored.token_hash  # only the hash is kept
    response = ApiClient(raw).get("/api/cases")
    assert response.status_code == 200
    assert [item["number"] for item in response.json()["items"]] == [works_case.number]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_token_create_for_unknown_user_fails_clearly(world):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("token", "create", "nobody")


def test_token_revoke_command(world):
    issued = create_token(world.works_agent)
    call_command("token", "revoke", issued.raw[:12], stdout=StringIO())
    assert ApiClient(issued.raw).get("/api/cases").status_code == 401


def test_requests_without_or_with_bad_tokens_get_401(world, works_case):
    assert Client().get("/api/cases").status_code == 401
    assert ApiClient("cdt_not-a-real-token").get("/api/cases").status_code == 401
    assert ApiClient("").get(f"/api/cases/{works_case.number}").status_code == 401


def test_revoked_token_and_inactive_user_are_refused(world):
    issued = create_token(world.works_agent)
    client = ApiClient(issued.raw)
    assert client.get("/api/cases").status_code == 200
    world.works_agent.is_active = False
    world.works_agent.save()
    assert client.get("/api/cases").status_code == 401
    world.works_agent.is_active = True
    world.works_agent.save()
    revoke_token(issued.token)
    assert client.get("/api/cases").status_code == 401


def test_rate_limit_per_token_answers_429_with_retry_after(world, settings):
    settings.API_RATE_LIMIT = 3
    client = ApiClient(create_token(world.works_agent).raw)
    assert [client.get("/api/cases").status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get("/api/cases")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "at most 3" in limited.json()["detail"]
    other = ApiClient(create_token(world.parks_agent).raw)  # each token has its own window
    assert other.get("/api/cases").status_code == 200


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys (Swagger UI refuses the document): {keys}"
    return dict(pairs)


def test_openapi_document_and_docs_page(world):
    schema = json.loads(Client().get("/api/openapi.json").content, object_pairs_hook=refuse_duplicate_keys)
    for path in ("/api/cases", "/api/cases/{number}", "/api/cases/{number}/replies", "/api/cases/{number}/notes",
                 "/api/cases/{number}/assign", "/api/cases/{number}/transfer", "/api/cases/{number}/status"):
        assert path in schema["paths"], path
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or schema["components"]["securitySchemes"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()
    assert b"cdn.jsdelivr" not in docs.content  # served from our own static files, so it works offline
