"""Issue 7 item 4: a contact merge (or its undo) never touches cases the staff member may not change."""

import pytest

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case
from civicdesk.contacts.merges import merge_contacts
from civicdesk.contacts.models import Contact, ContactMerge, Identity
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(world):
    """A resident with a Parks case who also has Public Works and Sanitation cases, and a Parks-only resident."""
    sanitation = create_agency("sanitation", "Sanitation")
    bins = create_service(sanitation, "missed-bin", group="Trash")
    parks_case = create_case(service=world.tree, subject="Tree down", email="ann@example.com")
    works_case = create_case(service=world.pothole, subject="Secret pothole words", email="ann@example.com")
    bins_case = create_case(service=bins, subject="Bins not collected", email="ann@example.com")
    other = create_case(service=world.tree, subject="Branch on path", email="bob@example.com")
    assert parks_case.contact_id == works_case.contact_id == bins_case.contact_id != other.contact_id
    return {"ann": parks_case.contact, "bob": other.contact, "sanitation": sanitation,
            "cases": [parks_case, works_case, bins_case, other]}


def state():
    """Everything a merge changes: which contact owns each case and identity, and the merge records."""
    return (sorted(Case.objects.values_list("pk", "contact_id")),
            sorted(Identity.objects.values_list("pk", "contact_id")),
            sorted(Contact.objects.values_list("pk", "merged_into_id")), ContactMerge.objects.count())


def test_an_agent_cannot_merge_in_a_contact_whose_other_cases_belong_to_other_agencies(parks_client, spread):
    before = state()
    response = parks_client.post(f"/staff/contacts/{spread['bob'].pk}/merge", {"source": spread["ann"].pk})
    assert response.status_code == 403
    page = response.content.decode()
    assert "2 cases you cannot change" in page
    assert "Public Works" in page and "Sanitation" in page
    assert "supervisor or administrator of every agency involved" in page
    assert "Secret pothole words" not in page and spread["cases"][1].number not in page  # no other agency's case
    assert state() == before


def test_an_agent_cannot_merge_a_contact_into_one_that_has_other_agencies_cases(parks_client, spread):
    before = state()
    response = parks_client.post(f"/staff/contacts/{spread['ann'].pk}/merge", {"source": spread["bob"].pk})
    assert response.status_code == 403
    assert "2 cases you cannot change" in response.content.decode()
    assert state() == before


def test_a_case_transferred_away_is_outside_what_the_agent_may_change(world, parks_client, spread):
    from civicdesk.cases.transfers import transfer

    transfer(spread["cases"][3], actor=world.admin, to_agency=world.works, reason="Road, not park")
    ann_parks_only = create_case(service=world.tree, subject="Swing broken", email="cy@example.com").contact
    response = parks_client.post(f"/staff/contacts/{ann_parks_only.pk}/merge", {"source": spread["bob"].pk})
    assert response.status_code == 403 and "1 case you cannot change" in response.content.decode()
    assert not ContactMerge.objects.exists()


def test_a_supervisor_of_every_agency_involved_can_merge(world, spread):
    supervisor = create_staff("sally", role=StaffRole.SUPERVISOR,
                              agencies=[world.parks, world.works, spread["sanitation"]])
    response = client_for(supervisor).post(f"/staff/contacts/{spread['bob'].pk}/merge", {"source": spread["ann"].pk})
    assert response.status_code == 302
    assert set(Case.objects.values_list("contact_id", flat=True)) == {spread["bob"].pk}


def test_a_supervisor_of_only_some_of_the_agencies_cannot_merge(world, spread):
    response = client_for(world.supervisor).post(f"/staff/contacts/{spread['bob'].pk}/merge",
                                                 {"source": spread["ann"].pk})
    assert response.status_code == 403
    page = response.content.decode()
    assert "1 case you cannot change" in page and "Sanitation" in page and "Public Works" not in page
    assert not ContactMerge.objects.exists()


def test_an_admin_can_merge(admin_client_, spread):
    response = admin_client_.post(f"/staff/contacts/{spread['bob'].pk}/merge", {"source": spread["ann"].pk})
    assert response.status_code == 302 and ContactMerge.objects.count() == 1


def test_an_agent_cannot_undo_a_merge_that_moved_other_agencies_cases(world, parks_client, spread):
    merge = merge_contacts(spread["ann"], spread["bob"], actor=world.admin)
    before = state()
    response = parks_client.post(f"/staff/contacts/{spread['bob'].pk}/merges/{merge.pk}/undo", follow=True)
    page = response.content.decode()
    assert "2 cases you cannot change" in page and "Nothing was changed" in page
    assert state() == before
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_the_merge_action_itself_refuses_without_the_view(world, spread):
    with pytest.raises(PermissionError):
        merge_contacts(spread["ann"], spread["bob"], actor=world.parks_agent)
    assert not ContactMerge.objects.exists()


def test_an_agent_can_still_merge_contacts_whose_cases_are_all_theirs(world, parks_client, spread):
    cy = create_case(service=world.tree, subject="Swing broken", email="cy@example.com").contact
    response = parks_client.post(f"/staff/contacts/{cy.pk}/merge", {"source": spread["bob"].pk})
    assert response.status_code == 302
    assert ContactMerge.objects.get().merged_by == world.parks_agent


def test_merge_records_cannot_be_written_by_hand_in_the_admin(admin_client_, world, spread):
    merge = merge_contacts(spread["ann"], spread["bob"], actor=world.admin)
    assert admin_client_.get("/admin/contacts/contactmerge/add/").status_code == 403
    response = admin_client_.post(f"/admin/contacts/contactmerge/{merge.pk}/change/",
                                  {"source": spread["bob"].pk, "target": spread["ann"].pk})
    assert response.status_code == 403
    assert ContactMerge.objects.get().source_id == spread["ann"].pk
    assert admin_client_.get(f"/admin/contacts/contactmerge/{merge.pk}/change/").status_code == 200  # viewable
