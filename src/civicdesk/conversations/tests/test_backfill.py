"""The migration that turns existing mail threads into conversations: none lost, none twice."""

import importlib

import pytest
from django.apps import apps

from civicdesk.cases.models import Case
from civicdesk.channels.events import SenderIdentity
from civicdesk.conversations.models import Conversation
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("civicdesk.conversations.migrations.0002_email_threads_into_conversations")


def test_each_case_and_address_of_existing_mail_becomes_one_conversation():
    create_agency("311")
    first = create_case(channel="email", email="resident@example.com", subject="Hydrant",
                        extra_identities=[SenderIdentity("email", "other@example.com")])
    second = create_case(channel="email", email="neighbour@example.com", subject="Tree")
    create_case(channel="web", email="web@example.com")  # a portal form is no mail thread
    expected = set(Conversation.objects.values_list("thread_key", "case_id", "identity_id", "last_inbound_at"))
    Conversation.objects.all().delete()  # as before the migration
    backfill.email_threads_into_conversations(apps, None)
    backfill.email_threads_into_conversations(apps, None)  # running it again adds nothing
    rows = set(Conversation.objects.values_list("thread_key", "case_id", "identity_id", "last_inbound_at"))
    assert rows == expected and len(rows) == 2
    assert {c.case_id for c in Conversation.objects.all()} == {first.pk, second.pk}
    assert all(c.contact_id == Case.objects.get(pk=c.case_id).contact_id for c in Conversation.objects.all())
