"""Fixtures for the Open311 tests: the demo city's agencies and services, an API key, a POST helper."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.open311 import keys

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def city(db: Any) -> dict[str, Any]:
    agencies = seed_agencies()
    services = {s.code: s for s in seed_services(agencies)}
    return {"agencies": agencies, "services": services}


@pytest.fixture
def api_key(db: Any) -> str:
    return keys.create_key("test-app", rate_limit=1000).raw


@pytest.fixture
def post(client: Client, api_key: str) -> Callable[..., Any]:
    def send(fmt: str = "json", data: Any = None, **fields: Any) -> Any:
        body = {"api_key": api_key, **fields} if data is None else data
        return client.post(f"/open311/v2/requests.{fmt}", body)
    return send


POTHOLE = {"service_code": "pothole", "lat": "40.01", "long": "-75.12", "attribute[size]": "like_a_car_tire",
           "description": "A deep pothole in the right lane."}
