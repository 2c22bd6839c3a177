"""Contact pages: identities and cases, merging two contacts, undoing it, with the audit history shown."""

import pytest

from civicdesk.audit.models import AuditAction
from civicdesk.contacts.models import ContactMerge, Identity
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_contacts(world):
    first = create_case(service=world.pothole, subject="Hole", email="ann@example.com", contact_name="Ann Lee")
    second = create_case(service=world.pothole, subject="Light", email="ann.lee@work.example", contact_name="A. Lee")
    return first.contact, second.contact, first, second


def test_contact_page_shows_kind_identities_and_cases(works_client, two_contacts):
    contact, _, case, _ = two_contacts
    page = works_client.get(f"/staff/contacts/{contact.pk}/").content.decode()
    assert "Ann Lee" in page and "Resident" in page and "ann@example.com" in page and case.number in page
    assert "Contact created" in page


def test_contacts_are_scoped_by_their_cases(parks_client, two_contacts):
    contact = two_contacts[0]
    assert parks_client.get(f"/staff/contacts/{contact.pk}/").status_code == 404
    assert parks_client.get(f"/staff/contacts/{contact.pk}/merge").status_code == 404


def test_merge_and_undo(works_client, world, two_contacts):
    target, source, first, second = two_contacts
    assert works_client.get(f"/staff/contacts/{target.pk}/merge").status_code == 200
    response = works_client.post(f"/staff/contacts/{target.pk}/merge", {"source": source.pk})
    assert response.status_code == 302 and response["Location"] == f"/staff/contacts/{target.pk}/"
    second.refresh_from_db()
    assert second.contact_id == target.pk
    assert set(Identity.objects.filter(contact=target).values_list("value", flat=True)) == {
        "ann@example.com", "ann.lee@work.example"}
    merge = ContactMerge.objects.get()
    assert merge.merged_by == world.works_agent
    page = works_client.get(f"/staff/contacts/{target.pk}/").content.decode()
    assert "Contacts merged" in page and second.number in page and "Undo merge of contact" in page
    # the merged-away contact is still reachable (to see where it went)
    assert works_client.get(f"/staff/contacts/{source.pk}/").status_code == 200

    response = works_client.post(f"/staff/contacts/{target.pk}/merges/{merge.pk}/undo")
    assert response.status_code == 302
    second.refresh_from_db()
    source.refresh_from_db()
    assert second.contact_id == source.pk and source.merged_into_id is None
    assert Identity.objects.get(value="ann.lee@work.example").contact_id == source.pk
    assert target.audit.filter(action=AuditAction.CONTACT_UNMERGED, actor=world.works_agent).exists()
    page = works_client.get(f"/staff/contacts/{target.pk}/").content.decode()
    assert "Contact merge undone" in page and "Undone" in page
    # undoing twice is reported, not a crash
    works_client.post(f"/staff/contacts/{target.pk}/merges/{merge.pk}/undo")
    assert ContactMerge.objects.get().undone_at is not None


def test_merge_errors(works_client, parks_client, world, two_contacts):
    target, source, _, _ = two_contacts
    assert works_client.post(f"/staff/contacts/{target.pk}/merge", {"source": target.pk}).status_code == 400
    assert works_client.post(f"/staff/contacts/{target.pk}/merge", {"source": "abc"}).status_code == 400
    parks_contact = create_case(service=world.tree, subject="Tree", email="t@example.com").contact
    response = works_client.post(f"/staff/contacts/{target.pk}/merge", {"source": parks_contact.pk})
    assert response.status_code == 400 and "that you can see" in response.content.decode()
    assert not ContactMerge.objects.exists()
