"""Helpers of the notification tests: a resident writing again on their case, and notifications by recipient."""

from typing import Any

from civicdesk.cases.models import Case
from civicdesk.notifications.models import Notification
from civicdesk.testing.factories import create_case


def resident_writes(case: Case, email: str, text: str = "It is still there.") -> Case:
    """The case's resident writes again by email, naming the case: the message continues that case."""
    continued = create_case(channel="email", email=email, subject=f"Re: {case.number}", body=text)
    assert continued.pk == case.pk
    return continued


def notes_for(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))
