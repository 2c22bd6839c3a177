"""Schema-based fuzzing: schemathesis drives every operation of /api/openapi.json, in process, and finds no 500."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from civicdesk.api.actions import create_token
from civicdesk.inbox.tests.conftest import World

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 12  # per operation and phase; with the fixed seed the module runs in well under a minute


@pytest.fixture
def api_schema(world: World, works_case: Any, settings: Any) -> Iterator[Any]:  # noqa: ARG001 (rows to find)
    """The schema served by the real WSGI app; like Django's test client, requests keep the test's connection."""
    settings.API_RATE_LIMIT = 100_000
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(world.works_agent, name='fuzz').raw}"}


def operations(api_schema: Any) -> list[Any]:
    found = [result.ok() for result in api_schema.get_all_operations()]
    assert len(found) >= 8, "every operation of the API is fuzzed"
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_of_the_api_answers_a_500(api_schema: Any, bearer: dict[str, str], works_case: Any,
                                                mode: GenerationMode) -> None:
    """Each generated request (valid ones, then invalid ones), as sent and again aimed at a real case."""
    for operation in operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            response = case.call(headers=bearer)
            case.validate_response(response, checks=[not_a_server_error], headers=bearer)
            if "number" in (case.path_parameters or {}):
                case.path_parameters["number"] = works_case.number
                response = case.call(headers=bearer)
                case.validate_response(response, checks=[not_a_server_error], headers=bearer)

        call()


def test_the_boundary_values_of_every_operation_never_answer_a_500(api_schema: Any, bearer: dict[str, str],
                                                                  works_case: Any) -> None:
    """Schemathesis' coverage phase: each parameter's edges (huge and negative numbers, empty, wrong types, ...)."""
    calls = 0
    for operation in operations(api_schema):
        config = api_schema.config.generation_for(operation=operation, phase="coverage")
        for case in api_schema.iter_coverage_cases(operation, generation_modes=list(GenerationMode),
                                                   generation_config=config):
            if "number" in (case.path_parameters or {}) and calls % 2:
                case.path_parameters["number"] = works_case.number
            response = case.call(headers=bearer)
            case.validate_response(response, checks=[not_a_server_error], headers=bearer)
            calls += 1
    assert calls > 100  # about 340 today
