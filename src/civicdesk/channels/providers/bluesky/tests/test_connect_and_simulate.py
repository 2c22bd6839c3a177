"""`civicdesk channels add bluesky` and `channels simulate bluesky`, and the reply text's mention facet."""

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import ChannelAccount, InboundPayload, Provider
from civicdesk.channels.providers.bluesky.sending import graphemes, with_mention
from civicdesk.contacts.models import Identity
from civicdesk.testing.factories import create_agency


@pytest.mark.django_db
def test_adding_a_handle_keeps_the_app_password_encrypted_and_starts_the_cursor_now() -> None:
    create_agency("public-works", "Public Works")
    out = StringIO()
    call_command("channels", "add", "bluesky", "--agency", "public-works", "--handle", "@City311.bsky.social",
                 "--app-password", "abcd-efgh-ijkl-mnop", stdout=out)
    account = ChannelAccount.objects.get(provider=Provider.BLUESKY)
    assert account.address == "city311.bsky.social" and account.channel == "bluesky"
    assert account.credentials() == {"app_password": "abcd-efgh-ijkl-mnop", "service": "https://bsky.social"}
    assert "abcd-efgh" not in account.encrypted_credentials and account.cursor["since"]
    assert "polls this account" in out.getvalue()


@pytest.mark.django_db
def test_the_app_password_can_stay_in_the_environment_and_a_handle_is_connected_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    create_agency("parks", "Parks")
    monkeypatch.setenv("BLUESKY_PARKS_APP_PASSWORD", "wxyz-wxyz-wxyz-wxyz")
    call_command("channels", "add", "bluesky", "--agency", "parks", "--handle", "parks.example.org",
                 "--app-password-env", "BLUESKY_PARKS_APP_PASSWORD", "--service", "https://pds.example.org",
                 stdout=StringIO())
    account = ChannelAccount.objects.get(address="parks.example.org")
    assert account.credentials_ref == "env:BLUESKY_PARKS"
    assert account.credentials()["app_password"] == "wxyz-wxyz-wxyz-wxyz"
    assert account.credentials()["service"] == "https://pds.example.org"
    with pytest.raises(CommandError, match="already connected"):
        call_command("channels", "add", "bluesky", "--agency", "parks", "--handle", "Parks.example.org",
                     "--app-password", "abcd-efgh-ijkl-mnop", stdout=StringIO())
    with pytest.raises(CommandError, match="handle looks like"):
        call_command("channels", "add", "bluesky", "--agency", "parks", "--handle", "not a handle",
                     "--app-password", "abcd-efgh-ijkl-mnop", stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "public"), [("mention", True), ("comment", True), ("message", False)])
def test_simulate_stores_an_event_shaped_as_the_poll_stores_it_and_it_becomes_a_case(
        kind: str, public: bool, django_capture_on_commit_callbacks: Any, settings: Any) -> None:
    settings.BLUESKY_CHAT_ENABLED = True
    create_agency("public-works", "Public Works")
    call_command("channels", "add", "bluesky", "--agency", "public-works", "--handle", "city311.bsky.social",
                 "--app-password", "abcd-efgh-ijkl-mnop", "--service", "http://127.0.0.1:9",  # the acknowledgement
                 stdout=StringIO())  # fails to send there: nothing leaves the machine
    account = ChannelAccount.objects.get()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", "bluesky", "--account", str(account.pk), "--kind", kind,
                     "--text", "Pothole on Elm St", stdout=out)
    assert "stored" in out.getvalue()
    payload = InboundPayload.objects.get()
    body = json.loads(bytes(payload.raw))
    assert ("getLog" if kind == "message" else "listNotifications") in body
    message = Message.objects.get(direction=Direction.INBOUND)
    assert "Pothole on Elm St" in message.body_text
    assert Case.objects.count() == 1
    identity = Identity.objects.get()
    assert identity.value.startswith("did:plc:") and identity.display == "@demo-resident.example"


def test_a_reply_opens_with_the_residents_handle_as_a_mention_facet() -> None:
    text, facets = with_mention("Thanks, fixed today. See https://311.example.org/c/1", "maria.bsky.social",
                                "did:plc:m4rbaq7vdx2kjw5nbe6tyhzu", lambda handle: "")
    assert text.startswith("@maria.bsky.social Thanks")
    mention = next(f for f in facets if f.features[0].py_type == "app.bsky.richtext.facet#mention")
    assert text.encode()[mention.index.byte_start:mention.index.byte_end] == b"@maria.bsky.social"
    assert any(f.features[0].py_type == "app.bsky.richtext.facet#link" for f in facets)


def test_a_reply_naming_the_resident_already_is_not_prefixed_and_offsets_are_bytes() -> None:
    text, facets = with_mention("Gracias @María… no: @maria.bsky.social, ¡ya está!", "maria.bsky.social",
                                "did:plc:m4rbaq7vdx2kjw5nbe6tyhzu", lambda handle: "")
    assert text.startswith("Gracias")
    (mention,) = facets
    assert text.encode()[mention.index.byte_start:mention.index.byte_end] == b"@maria.bsky.social"


def test_graphemes_count_what_people_see() -> None:
    assert graphemes("e\u0301") == 1
    assert graphemes("👩‍🚒") == 1
    assert graphemes("x" * 300) == 300


def test_a_reply_too_long_for_the_handle_goes_without_it_and_still_fits() -> None:
    text, facets = with_mention("x" * 290, "maria.bsky.social", "did:plc:m4rbaq7vdx2kjw5nbe6tyhzu", lambda h: "")
    assert text == "x" * 290 and facets == []
