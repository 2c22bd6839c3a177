"""Fixtures of the satisfaction tests: the staff world, an SMS number of Public Works, and resolving a case as
staff do (the status change, then the job it queued, as the worker would run it)."""

from typing import Any

import pytest

from civicdesk.cases.actions import change_status
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.conversations.tests.consent_helpers import ADAPTER, our_number, text
from civicdesk.conversations.tests.inbound import receive
from civicdesk.inbox.tests import conftest as staff_fixtures
from civicdesk.satisfaction import actions
from civicdesk.testing.cache import fresh_shared_cache

world = staff_fixtures.world  # Public Works (wanda, walt) and Parks (pat); boss is an administrator
works_client = staff_fixtures.works_client
_fast_password_hashing = staff_fixtures._fast_password_hashing


@pytest.fixture(autouse=True)
def _clear_cache(request):
    yield from fresh_shared_cache(request)  # rate-limit counts start at zero


@pytest.fixture(autouse=True)
def sms_adapter(settings: Any) -> None:
    settings.CHANNEL_ADAPTERS = {**settings.CHANNEL_ADAPTERS, "sms": ADAPTER}
    settings.PROVIDER_ADAPTERS = {**settings.PROVIDER_ADAPTERS, "twilio": ADAPTER}
    settings.SITE_URL = "https://311.riverbend.example"


@pytest.fixture
def account(world: Any) -> Any:
    return our_number(world.works)


@pytest.fixture
def sms_case(world: Any, account: Any) -> Case:
    """A case a resident opened by texting Public Works' number."""
    result = receive(text("Pothole on Main St by the bakery", account))
    assert result.case is not None
    return result.case


def resolve(case: Case, user: Any) -> Case:
    """Resolve as staff do, then run the job that resolution queued (satisfaction.tasks.after_resolution)."""
    case = change_status(Case.objects.get(pk=case.pk), actor=user, status=CaseStatus.RESOLVED)
    actions.after_resolution(case.pk)
    return Case.objects.get(pk=case.pk)


def reply_text(body: str, account: Any, **kwargs: Any) -> Any:
    return receive(text(body, account, **kwargs))


def outbound(case: Case) -> list[Message]:
    return list(Message.objects.filter(case=case, direction=Direction.OUTBOUND).order_by("pk"))


def inbound(case: Case) -> list[Message]:
    return list(Message.objects.filter(case=case, direction=Direction.INBOUND).order_by("pk"))
