"""Issue 12 item 7: people, not handles. Handles compare across networks without "@", instance, domain or case;
an email address's local part and a handle count as alike; the suggestions take one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicdesk.contacts.identities import handle_stem
from civicdesk.contacts.models import Contact, Identity
from civicdesk.contacts.same_person import suggestions

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw, stem", [
    ("@Rosa_T", "rosa_t"), ("@rosa_t@social.example", "rosa_t"), ("rosa_t.bsky.social", "rosa_t"),
    ("@rosa.tester.bsky.social", "rosa.tester"), ("rosatester.com", "rosatester"), ("did:plc:abc123", ""),
    ("1234567890", ""), ("Rosa Tester", ""), ("@jo", ""), ("", ""),
])
def test_a_handle_stem_drops_the_at_the_instance_the_domain_and_case(raw, stem):
    assert handle_stem(raw) == stem


def person(name: str, *identities: tuple[str, str, str]) -> Contact:
    contact = Contact.objects.create(display_name=name)
    for kind, value, display in identities:
        Identity.objects.create(contact=contact, kind=kind, value=value, display=display)
    return contact


def reasons_for(user, contact):
    return {s.contact_id: s.reasons for s in suggestions(user, contact, list(contact.identities.all()))}


def test_handles_on_other_networks_and_linked_email_addresses_are_suggested(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    rosa = person("", ("mastodon", "@rosa_t@social.example", ""), ("email", "rosa.tester@example.com", ""))
    on_x = person("", ("x", "@ROSA_T", ""))
    on_bluesky = person("", ("bluesky", "@did:plc:7iza6de2dwap2sbkpav7c6c6", "rosa_t.bsky.social"))
    by_email = person("R. T.", ("email", "rosa_t@gmail.example", ""))
    handle_like_email = person("", ("bluesky", "@did:plc:zzz", "rosatester.bsky.social"))
    stranger = person("Omar", ("x", "@omar_d", ""), ("mastodon", "@rosa_tt@social.example", ""))
    found = reasons_for(admin, rosa)
    assert set(found) == {on_x.pk, on_bluesky.pk, by_email.pk, handle_like_email.pk}
    assert found[on_x.pk] == ("A similar handle (@ROSA_T on X handle)",)
    assert found[on_bluesky.pk] == ("A similar handle (rosa_t.bsky.social on Bluesky handle)",)
    assert found[by_email.pk] == ("A similar email address (rosa_t@gmail.example)",)
    assert stranger.pk not in found


def test_the_same_name_and_phone_digits_are_suggested_in_one_query(django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "x")
    ann = person("Ann  Lee", ("phone", "+12155550123", ""), ("x", "@annlee", ""), ("email", "ann@example.com", ""))
    same_name = person("ann lee", ("email", "a@example.org", ""))
    same_digits = person("Someone", ("phone", "+442155550123", ""))
    merged = person("Ann Lee", ("email", "old@example.org", ""))
    merged.merged_into = same_name
    merged.save()
    identities = list(ann.identities.all())
    suggestions(admin, ann, identities)  # the user's role is read once per request (the page has read it)
    with CaptureQueriesContext(connection) as queries:
        found = {s.contact_id: s.reasons for s in suggestions(admin, ann, identities)}
    assert len(queries) == 1, [q["sql"][:200] for q in queries.captured_queries]
    assert found == {same_name.pk: ("The same name",),
                     same_digits.pk: ("The same phone number digits (+12155550123)",)}
