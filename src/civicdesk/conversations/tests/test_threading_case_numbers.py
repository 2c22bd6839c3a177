"""Threading by a case number in the body: only for a sender entitled to the case."""

import pytest

from civicdesk.cases.models import Case
from civicdesk.conversations.entitlement import MENTION_TAG
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db


def test_a_case_number_in_the_body_from_the_cases_contact_continues_it() -> None:
    create_agency("311")
    case = create_case(email="ana@example.com")
    reply = create_case(channel="email", email="ana@example.com", subject="More about my request",
                        body=f"About {case.number}: it is getting worse.")
    assert reply.pk == case.pk and Case.objects.count() == 1


def test_a_case_number_in_the_body_from_a_stranger_does_not_join_it() -> None:
    create_agency("311")
    case = create_case(email="ana@example.com")
    other = create_case(channel="email", email="eve@example.com", subject="Hello",
                        body=f"Please add me to {case.number}.")
    assert other.pk != case.pk
    assert MENTION_TAG in other.tags.values_list("name", flat=True) and list(other.related.all()) == [case]
    assert case.messages.filter(direction="in").count() == 1
