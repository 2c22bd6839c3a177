"""Fixtures for the Open311 tests: the demo city's agencies and services, an API key, a POST helper."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.open311 import keys

# Real servers' responses, read from the team's shared reference data beside the checkout (CI has a copy there too);
# they are other projects' captures, so they are not copied into this repository.
SHARED_RESPONSES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "open311-real-responses"
# Tests over those captures skip, saying what is missing, on a checkout with no ../shared beside it.
needs_shared_responses = pytest.mark.skipif(
    not SHARED_RESPONSES.is_dir(),
    reason=f"needs the shared reference data: {SHARED_RESPONSES} is missing (../shared beside the checkout)")


def real_response(name: str) -> bytes:
    """The captured response file `name`, from whichever source folder of the shared data holds it."""
    found = sorted(SHARED_RESPONSES.glob(f"*/{name}"))
    if not found:
        raise FileNotFoundError(f"{name} is not in {SHARED_RESPONSES} (the shared reference data must sit beside "
                                "the checkout, as ../shared)")
    return found[0].read_bytes()


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
