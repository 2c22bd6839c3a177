"""Fixtures for the chat tests: the staff-side world (two agencies, their agents) and a started chat."""

import uuid

import pytest

from civicdesk.chat import actions
from civicdesk.inbox.tests import conftest as staff_fixtures
from civicdesk.testing.cache import fresh_shared_cache

world = staff_fixtures.world  # Public Works (wanda, walt) and Parks (pat); boss is an administrator
_fast_password_hashing = staff_fixtures._fast_password_hashing


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def chat(world):
    """A waiting chat with Public Works from Rosa, who gave her email address."""
    session, _token = actions.start_session(agency=world.works, text="Is the pool open on Sunday?",
                                            client_id=new_id(), name="Rosa", email="rosa@example.com",
                                            language="en", ip_hash="ip-1")
    return session


@pytest.fixture(autouse=True)
def _clear_cache(request):
    yield from fresh_shared_cache(request)  # rate-limit counts start at zero


@pytest.fixture
def on_duty(world):
    """Wanda (Public Works) takes chats now."""
    actions.set_availability(world.works_agent, accepting=True)
    return world.works_agent
