"""Issue 12 item 7 on the contact page: identities show the platform and the handle with the stable id beside it,
and "Possible same person" suggests contacts across networks, linked in one click by the audited contact merge."""

import re

import pytest

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import Contact, ContactMerge, Identity
from civicdesk.testing.factories import create_case
from civicdesk.testing.social import social_case, use_test_adapters

pytestmark = pytest.mark.django_db
DID = "did:plc:7iza6de2dwap2sbkpav7c6c6"


@pytest.fixture(autouse=True)
def _adapters(settings):
    use_test_adapters(settings)


@pytest.fixture
def rosa(world):
    """Rosa by email, and again on Bluesky (her DID, shown as rosa-t.bsky.social) and on Mastodon."""
    by_mail = create_case(service=world.pothole, email="rosa-t@example.com", contact_name="Rosa Tester").contact
    bluesky = social_case(world.pothole, Channel.BLUESKY, DID, "Pothole again", display="rosa-t.bsky.social").contact
    mastodon = social_case(world.pothole, Channel.MASTODON, "@Rosa-T@social.example", "Still there").contact
    return {"mail": by_mail, "bluesky": bluesky, "mastodon": mastodon}


def page(client, contact) -> str:
    return re.sub(r"\s+", " ", client.get(f"/staff/contacts/{contact.pk}/").content.decode())


def test_an_inbound_handle_is_kept_as_the_display_of_the_stable_id(rosa):
    identity = Identity.objects.get(kind="bluesky")
    assert identity.value == DID and identity.display == "rosa-t.bsky.social"


def test_the_identity_shows_the_platform_and_handle_with_the_stable_id_beside_it(works_client, rosa):
    html = page(works_client, rosa["bluesky"])
    assert f'title="Stable id on the platform: {DID}">rosa-t.bsky.social</span>' in html
    assert f"(id {DID})" in html and "Bluesky handle:" in html


def test_possible_same_person_lists_the_other_networks_and_the_email(works_client, rosa):
    html = page(works_client, rosa["mail"])
    assert "Possible same person" in html
    assert "A similar handle (rosa-t.bsky.social on Bluesky handle)" in html
    assert "A similar handle (@rosa-t@social.example on Mastodon account)" in html
    assert 'aria-label="Link rosa-t.bsky.social to this contact: the same person"' in html


def test_one_click_links_them_with_the_merge_audited_and_undoable(works_client, world, rosa):
    response = works_client.post(f"/staff/contacts/{rosa['mail'].pk}/merge", {"source": rosa["bluesky"].pk})
    assert response.status_code == 302
    assert Contact.objects.get(pk=rosa["bluesky"].pk).merged_into_id == rosa["mail"].pk
    assert Identity.objects.get(kind="bluesky").contact_id == rosa["mail"].pk
    assert AuditEntry.objects.filter(contact=rosa["mail"], action=AuditAction.CONTACT_MERGED,
                                     actor=world.works_agent).exists()
    assert ContactMerge.objects.get().source_id == rosa["bluesky"].pk
    assert "rosa-t.bsky.social" not in page(works_client, rosa["mail"]).split("Possible same person")[-1]


def test_another_agencys_people_are_not_suggested(parks_client, world, rosa):
    pia = create_case(service=world.tree, email="rosa-t@parks.example", contact_name="Pia").contact
    assert "Possible same person" not in page(parks_client, pia)
