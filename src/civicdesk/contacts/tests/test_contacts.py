"""Contacts: normalised identities (E.164 phones), one contact per person across channels, merge and undo."""

from typing import Any

import pytest
from django.urls import reverse

from civicdesk.audit.models import AuditAction
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity, normalize_phone
from civicdesk.contacts.merges import merge_contacts, undo_contact_merge
from civicdesk.contacts.models import Contact, ContactKind, Identity, IdentityKind
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["(202) 456-1111", "202.456.1111", "+1 202 456 1111", "1-202-456-1111"])
def test_us_phone_numbers_become_e164(raw: str) -> None:
    assert normalize_phone(raw) == "+12024561111"


def test_foreign_numbers_keep_their_country() -> None:
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["555", "12345678901234", "call me", "+1 555 0100"])
def test_invalid_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidIdentity):
        normalize_phone(raw)


def test_emails_and_handles_are_normalised() -> None:
    assert normalize_identity(IdentityKind.EMAIL, " Ana@Example.COM ") == "ana@example.com"
    assert normalize_identity(IdentityKind.X, "RiverbendFan") == "@riverbendfan"
    with pytest.raises(InvalidIdentity):
        normalize_identity(IdentityKind.EMAIL, "not-an-address")


def test_a_known_identity_lands_on_the_same_contact_across_channels() -> None:
    web = resolve_contact([(IdentityKind.EMAIL, "ana@example.com"), (IdentityKind.PHONE, "202-456-1111")],
                          display_name="Ana Diaz")
    sms = resolve_contact([(IdentityKind.PHONE, "+12024561111")])
    mail = resolve_contact([(IdentityKind.EMAIL, "ANA@example.com"), (IdentityKind.X, "@anad")])
    assert web == sms == mail and Contact.objects.count() == 1
    assert set(web.identities.values_list("value", flat=True)) == {"ana@example.com", "+12024561111", "@anad"}
    assert web.kind == ContactKind.RESIDENT and web.display_name == "Ana Diaz"


def test_contact_kinds() -> None:
    business = resolve_contact([(IdentityKind.EMAIL, "shop@example.com")], kind=ContactKind.BUSINESS)
    assert business.kind == ContactKind.BUSINESS
    assert set(ContactKind.values) == {"resident", "business", "agency_staff", "partner"}


def test_merge_then_undo_restores_identities_cases_and_keeps_history() -> None:
    create_agency("311")
    first = create_case(email="a@example.com")
    second = create_case(email="b@example.com")
    source, target = second.contact, first.contact
    merge = merge_contacts(source, target, actor=None)
    assert set(target.identities.values_list("value", flat=True)) == {"a@example.com", "b@example.com"}
    assert resolve_contact([(IdentityKind.EMAIL, "b@example.com")]) == target
    second.refresh_from_db()
    assert second.contact == target

    undo_contact_merge(merge, actor=None)
    source.refresh_from_db()
    second.refresh_from_db()
    assert source.merged_into is None and second.contact == source
    assert list(source.identities.values_list("value", flat=True)) == ["b@example.com"]
    assert resolve_contact([(IdentityKind.EMAIL, "b@example.com")]) == source
    for contact in (source, target):
        actions = set(contact.audit.values_list("action", flat=True))
        assert {AuditAction.CONTACT_MERGED, AuditAction.CONTACT_UNMERGED} <= actions
    with pytest.raises(ValueError, match="already undone"):
        undo_contact_merge(merge, actor=None)


def test_admin_edits_are_audited_and_identities_normalised(admin_client: Any) -> None:
    contact = resolve_contact([(IdentityKind.EMAIL, "ana@example.com")], display_name="Ana")
    identity = contact.identities.get()
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    form = {"display_name": "Ana Diaz", "kind": ContactKind.PARTNER, "organisation": "Friends of Elm Park",
            "notes": "", "identities-TOTAL_FORMS": 2, "identities-INITIAL_FORMS": 1, "identities-MIN_NUM_FORMS": 0,
            "identities-MAX_NUM_FORMS": 1000, "identities-0-id": identity.pk, "identities-0-contact": contact.pk,
            "identities-0-kind": "email", "identities-0-value": "ana@example.com",
            "identities-1-contact": contact.pk, "identities-1-kind": "phone", "identities-1-value": "555"}
    response = admin_client.post(url, form)
    assert response.status_code == 200 and b"not a valid phone number" in response.content
    assert Identity.objects.count() == 1

    response = admin_client.post(url, {**form, "identities-1-value": "(202) 456-1111"})
    assert response.status_code == 302, response.content
    contact.refresh_from_db()
    assert contact.kind == ContactKind.PARTNER and contact.organisation == "Friends of Elm Park"
    assert contact.identities.filter(kind="phone", value="+12024561111").exists()
    changed = contact.audit.filter(action=AuditAction.CONTACT_CHANGED).order_by("id")
    assert changed[0].before == {"display_name": "Ana", "kind": "resident", "organisation": ""}
    assert changed[0].after == {"display_name": "Ana Diaz", "kind": "partner", "organisation": "Friends of Elm Park"}
    assert changed[1].after == {"identities": ["email:ana@example.com", "phone:+12024561111"]}
    assert all(entry.actor and entry.actor.username == "admin" for entry in changed)


def test_merges_refuse_chains_and_undo_goes_in_order() -> None:
    a, b, c = (resolve_contact([(IdentityKind.EMAIL, f"{n}@example.com")]) for n in "abc")
    first = merge_contacts(a, b, actor=None)
    with pytest.raises(ValueError, match="already merged"):
        merge_contacts(a, c, actor=None)
    with pytest.raises(ValueError, match="itself merged"):
        merge_contacts(c, a, actor=None)
    merge_contacts(b, c, actor=None)
    with pytest.raises(ValueError, match="undo that later merge first"):
        undo_contact_merge(first, actor=None)
