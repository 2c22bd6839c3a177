"""Issue 10 item 13: on a contact's page staff edit the name, type and language, add and remove identities, keep
notes and see suggested duplicates; each write goes through contacts.actions, audited, within the actor's rights."""

import pytest
from django.utils import timezone

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.transfers import transfer
from civicdesk.contacts import actions, merges
from civicdesk.contacts.models import Contact, ContactKind, ContactNote, Identity, IdentityKind
from civicdesk.inbox.tests.conftest import client_for
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(world):
    return create_case(service=world.pothole, subject="Hole", email="ann@example.com", contact_name="Ann Lee").contact


def page_of(client, contact):
    return client.get(f"/staff/contacts/{contact.pk}/").content.decode()


def test_staff_edit_the_name_type_and_language_with_one_audit_entry(world, works_client, ann):
    response = works_client.post(f"/staff/contacts/{ann.pk}/edit",
                                 {"display_name": "Ann Lee-Park", "kind": ContactKind.BUSINESS, "language": "es"})
    assert response.status_code == 302 and response["Location"].endswith("#contact-details")
    ann.refresh_from_db()
    assert (ann.display_name, ann.kind, ann.language) == ("Ann Lee-Park", "business", "es")
    entry = AuditEntry.objects.filter(contact=ann, action=AuditAction.CONTACT_CHANGED).get()
    assert entry.actor == world.works_agent
    assert entry.before == {"display_name": "Ann Lee", "kind": "resident", "language": ""}
    page = page_of(works_client, ann)
    assert "Business" in page and "Español" in page and "“Ann Lee” → “Ann Lee-Park”" in page


def test_saving_unchanged_fields_records_nothing(works_client, ann):
    works_client.post(f"/staff/contacts/{ann.pk}/edit", {"display_name": "Ann Lee", "kind": "resident", "language": ""})
    assert not AuditEntry.objects.filter(contact=ann, action=AuditAction.CONTACT_CHANGED).exists()


@pytest.mark.parametrize("data", [{"display_name": "A", "kind": "alien", "language": ""},
                                  {"display_name": "A", "kind": "resident", "language": "xx"},
                                  {"display_name": "A" * 201, "kind": "resident", "language": ""}])
def test_bad_edits_are_a_400_with_the_form_and_change_nothing(works_client, ann, data):
    response = works_client.post(f"/staff/contacts/{ann.pk}/edit", data)
    assert response.status_code == 400 and "usa-error-message" in response.content.decode()
    ann.refresh_from_db()
    assert ann.display_name == "Ann Lee"


def test_another_agencys_agent_cannot_see_or_change_the_contact(parks_client, ann):
    for url, data in [("edit", {"display_name": "X", "kind": "resident"}),
                      ("identities", {"kind": "email", "value": "x@example.com"}), ("notes", {"text": "Hi"})]:
        assert parks_client.post(f"/staff/contacts/{ann.pk}/{url}", data).status_code == 404
    ann.refresh_from_db()
    assert ann.display_name == "Ann Lee" and ann.identities.count() == 1 and not ContactNote.objects.exists()


def test_a_case_only_on_the_transfer_trail_lets_the_agent_read_but_not_change_the_contact(world, works_client, ann):
    transfer(ann.cases.get(), actor=world.works_agent, to_agency=world.parks, reason="Park path")
    page = page_of(works_client, ann)
    assert "You can read this contact but not change it" in page and "Edit name, type and language" not in page
    response = works_client.post(f"/staff/contacts/{ann.pk}/edit", {"display_name": "X", "kind": "resident"})
    assert response.status_code == 403 and "Nothing was changed" in response.content.decode()
    assert works_client.post(f"/staff/contacts/{ann.pk}/notes", {"text": "hi"}).status_code == 403
    ann.refresh_from_db()
    assert ann.display_name == "Ann Lee"


@pytest.mark.parametrize("kind, raw, stored", [("email", " Ann.Work@Example.COM ", "ann.work@example.com"),
                                               ("phone", "(215) 555-0199", "+12155550199"),
                                               ("x", "AnnLee", "@annlee"),
                                               ("mastodon", "@ann@town.example", "@ann@town.example")])
def test_an_identity_is_added_normalised_and_audited(world, works_client, ann, kind, raw, stored):
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities", {"kind": kind, "value": raw})
    assert response.status_code == 302 and response["Location"].endswith("#identities")
    assert Identity.objects.filter(contact=ann, kind=kind, value=stored).exists()
    assert AuditEntry.objects.filter(contact=ann, action=AuditAction.IDENTITY_ADDED, actor=world.works_agent,
                                     after={"kind": kind, "value": stored}).exists()
    assert f"Added {stored}" in page_of(works_client, ann)


@pytest.mark.parametrize("kind, raw", [("email", "not-an-address"), ("phone", "12"), ("phone", "call me"),
                                       ("x", "   "), ("pigeon", "coo"), ("email", "a@" + "b" * 400 + ".com")])
def test_an_invalid_identity_is_refused_with_a_message(works_client, ann, kind, raw):
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities", {"kind": kind, "value": raw})
    assert response.status_code == 400 and "usa-error-message" in response.content.decode()
    assert ann.identities.count() == 1


def test_an_identity_of_another_visible_contact_is_refused_with_a_link_to_merge(world, works_client, ann):
    bob = create_case(service=world.pothole, subject="Light", email="bob@example.com", contact_name="Bob").contact
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities", {"kind": "email", "value": "BOB@example.com"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "bob@example.com already belongs to another contact." in page
    assert f'href="/staff/contacts/{ann.pk}/merge?source={bob.pk}"' in page and "Bob" in page
    assert Identity.objects.get(value="bob@example.com").contact_id == bob.pk


def test_an_identity_of_a_contact_the_agent_cannot_see_is_refused_without_naming_it(world, works_client, ann):
    secret = create_case(service=world.tree, subject="Tree", email="quiet@example.com", contact_name="Quiet Person")
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities",
                                 {"kind": "email", "value": "quiet@example.com"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "a contact you cannot see" in page and "Quiet Person" not in page
    assert f"source={secret.contact_id}" not in page


def test_an_identity_the_contact_has_already_is_reported(works_client, ann):
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities", {"kind": "email", "value": "ANN@example.com"})
    assert response.status_code == 400 and "already has ann@example.com" in response.content.decode()


def test_removing_an_identity_is_audited(world, works_client, ann):
    extra = actions.add_identity(ann, actor=world.works_agent, kind=IdentityKind.PHONE, raw_value="215 555 0100")
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities/{extra.pk}/remove")
    assert response.status_code == 302
    assert not Identity.objects.filter(pk=extra.pk).exists()
    entry = AuditEntry.objects.get(contact=ann, action=AuditAction.CONTACT_CHANGED, reason="Identity removed")
    assert entry.before == {"kind": "phone", "value": "+12155550100"} and entry.actor == world.works_agent
    assert "Removed +12155550100" in page_of(works_client, ann)


def test_an_identity_that_asked_for_no_more_messages_stays(world, works_client, ann):
    identity = ann.identities.get()
    identity.opted_out_at = timezone.now()
    identity.save()
    assert "Asked for no more messages" in page_of(works_client, ann)
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities/{identity.pk}/remove")
    assert response.status_code == 400 and "asked for no more messages" in response.content.decode()
    assert Identity.objects.filter(pk=identity.pk).exists()


def test_removing_an_identity_needs_every_case_of_the_contact_within_reach(world, works_client, ann):
    create_case(service=world.tree, subject="Tree", email="ann@example.com")  # Ann has a Parks case too
    identity = ann.identities.get()
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities/{identity.pk}/remove")
    page = response.content.decode()
    assert response.status_code == 403 and "1 case you cannot change" in page and "Parks and Recreation" in page
    assert Identity.objects.filter(pk=identity.pk).exists()
    supervisor = create_staff("both", role=StaffRole.SUPERVISOR, agencies=[world.works, world.parks])
    assert client_for(supervisor).post(f"/staff/contacts/{ann.pk}/identities/{identity.pk}/remove").status_code == 302


def test_another_contacts_identity_cannot_be_removed_through_this_page(world, works_client, ann):
    bob = create_case(service=world.pothole, subject="Light", email="bob@example.com").contact
    response = works_client.post(f"/staff/contacts/{ann.pk}/identities/{bob.identities.get().pk}/remove")
    assert response.status_code == 404 and bob.identities.count() == 1


def test_notes_are_kept_shown_newest_first_and_audited_without_their_text(world, works_client, ann):
    works_client.post(f"/staff/contacts/{ann.pk}/notes", {"text": "Prefers calls after 5pm."})
    response = works_client.post(f"/staff/contacts/{ann.pk}/notes", {"text": "  Owns the corner shop.  "})
    assert response.status_code == 302 and response["Location"].endswith("#notes")
    assert list(ContactNote.objects.values_list("text", flat=True)) == ["Owns the corner shop.",
                                                                         "Prefers calls after 5pm."]
    page = page_of(works_client, ann)
    assert page.index("Owns the corner shop.") < page.index("Prefers calls after 5pm.") and "wanda" in page
    entries = AuditEntry.objects.filter(contact=ann, reason="Note added")
    assert entries.count() == 2 and "corner" not in str(list(entries.values_list("after", flat=True)))


@pytest.mark.parametrize("text", ["", "   ", "n" * 10_001])
def test_an_empty_or_too_long_note_is_refused(works_client, ann, text):
    assert works_client.post(f"/staff/contacts/{ann.pk}/notes", {"text": text}).status_code == 400
    assert not ContactNote.objects.exists()


def test_notes_of_a_merged_contact_show_on_the_survivor_and_go_back_on_undo(world, works_client, ann):
    bob = create_case(service=world.pothole, subject="Light", email="bob@example.com", contact_name="Bob").contact
    actions.add_contact_note(bob, author=world.works_agent, text="Bob's note")
    merge = merges.merge_contacts(bob, ann, actor=world.works_agent)
    assert "Bob&#x27;s note" in page_of(works_client, ann)
    merges.undo_contact_merge(merge, actor=world.works_agent)
    assert "Bob&#x27;s note" not in page_of(works_client, ann)


def test_a_merged_away_contact_is_read_only(world, works_client, ann):
    bob = create_case(service=world.pothole, subject="Light", email="bob@example.com", contact_name="Bob").contact
    merges.merge_contacts(bob, ann, actor=world.works_agent)
    page = page_of(works_client, bob)
    assert "This contact was merged into" in page and "Edit name, type and language" not in page
    response = works_client.post(f"/staff/contacts/{bob.pk}/edit", {"display_name": "X", "kind": "resident"})
    assert response.status_code == 400
    assert Contact.objects.get(pk=bob.pk).display_name == "Bob"


def test_suggested_duplicates_by_name_phone_and_email_within_scope(world, works_client, ann):
    same_name = create_case(service=world.pothole, subject="A", email="lee.ann@example.org", contact_name="ann LEE")
    same_phone_ann = actions.add_identity(ann, actor=None, kind=IdentityKind.PHONE, raw_value="+1 215 555 0123")
    assert same_phone_ann.value == "+12155550123"
    phone_twin = create_case(service=world.pothole, subject="B", email="someone@example.org", contact_name="Someone")
    Identity.objects.create(contact=phone_twin.contact, kind=IdentityKind.PHONE, value="+442155550123")
    email_twin = create_case(service=world.pothole, subject="C", email="ann@work.example", contact_name="A. L.")
    invisible = create_case(service=world.tree, subject="D", email="ann@parks.example", contact_name="Ann Lee")
    page = page_of(works_client, ann)
    assert "Possible same person" in page
    for case in (same_name, phone_twin, email_twin):
        assert f"merge?source={case.contact_id}" in page
    assert f"merge?source={invisible.contact_id}" not in page
    assert "The same name" in page and "The same phone number digits" in page and "A similar email address" in page


def test_a_parks_agent_never_sees_works_contacts_as_duplicates(world, parks_client):
    pia = create_case(service=world.tree, subject="Tree", email="pia@example.com", contact_name="Pia").contact
    create_case(service=world.pothole, subject="Hole", email="pia@other.example", contact_name="Pia")
    assert "Possible same person" not in page_of(parks_client, pia)


def test_the_actions_refuse_without_the_views(world, ann):
    other = create_agency("other", "Other")
    outsider = create_staff("olga", agencies=[other])
    create_service(other, "x")
    with pytest.raises(PermissionError):
        actions.edit_contact(ann, actor=outsider, display_name="X", kind="resident", language="")
    with pytest.raises(PermissionError):
        actions.add_identity(ann, actor=outsider, kind="email", raw_value="x@example.com")
    with pytest.raises(PermissionError):
        actions.add_contact_note(ann, author=outsider, text="x")
    with pytest.raises(PermissionError):
        actions.remove_identity(ann.identities.get(), actor=outsider)
    assert ann.identities.count() == 1 and not ContactNote.objects.exists()
