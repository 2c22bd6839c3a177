"""The adapter contract harness itself: JSON rules, the diff, regeneration, signature checks, single-object parse."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from civicdesk.channels.events import DeliveryReport, Ignored, InboundAttachment, InboundMessage, SenderIdentity
from civicdesk.channels.protocol import ParseError
from civicdesk.channels.testing import (
    UPDATE_ENV,
    AdapterFixture,
    FixtureDir,
    check_adapter,
    check_parse,
    check_verification,
    tampered,
    to_json,
)


class SignatureError(Exception):
    pass


class SignedJsonAdapter:
    """A made-up provider: JSON bodies signed with HMAC-SHA256 in X-Signature; a batch of events per payload."""

    channel = "sms"

    def verify(self, url: str, headers: dict[str, str], body: bytes, config: dict[str, Any]) -> bool:
        expected = hmac.new(config["secret"].encode(), url.encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
            raise SignatureError("bad signature")
        return True

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[Any]:
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise ParseError("not JSON") from exc
        events: list[Any] = []
        for item in data:
            if item["kind"] == "message":
                events.append(InboundMessage(channel="sms", provider_message_id=item["id"], body_text=item["text"],
                                             sender=SenderIdentity("phone", item["from"])))
            else:
                events.append(DeliveryReport(channel="sms", provider_message_id=item["id"], about=[item["about"]],
                                             outcome="delivered"))
        return events


class SingleObjectAdapter:
    """An adapter still on the old protocol: parse returns one object."""

    def parse(self, raw: bytes, meta: dict[str, Any]) -> Any:
        return Ignored(channel="email", provider_message_id=raw.decode(), reason=str(meta.get("why", "")))


BODY = json.dumps([{"kind": "message", "id": "SM1", "from": "+12025550101", "text": "Pothole on 5th"},
                   {"kind": "status", "id": "ST9", "about": "SM0"}]).encode()
URL = "https://civicdesk.example/hooks/example-sms/3/"
SECRET = "test-secret"


def write_fixture(directory: Path, name: str, body: bytes, signature: str = "", **extra: Any) -> AdapterFixture:
    (directory / f"{name}.body").write_bytes(body)
    headers = {"url": URL, "headers": {"X-Signature": signature}, "config": {"secret": SECRET}, **extra}
    (directory / f"{name}.headers.json").write_text(json.dumps(headers))
    return FixtureDir(directory).load(name)


def sign(body: bytes) -> str:
    return hmac.new(SECRET.encode(), URL.encode() + body, hashlib.sha256).hexdigest()


def test_events_become_json_with_their_type_and_without_fields_left_at_their_default() -> None:
    message = InboundMessage(channel="sms", provider_message_id="SM1", lat=0.0, always_new_case=False,
                             sent_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
                             attachments=[InboundAttachment("a.png", "image/png", b"\x89PNG")])
    assert to_json(message) == {
        "type": "InboundMessage", "channel": "sms", "provider_message_id": "SM1", "lat": 0.0,
        "sent_at": "2026-03-01T08:30:00+00:00",
        "attachments": [{"filename": "a.png", "content_type": "image/png",
                         "content": {"sha256": hashlib.sha256(b"\x89PNG").hexdigest(), "size": 4}}],
    }


def test_a_value_the_harness_cannot_show_is_an_error_not_a_guess() -> None:
    @dataclass
    class Odd:
        things: list[Any] = field(default_factory=list)

    with pytest.raises(TypeError, match="cannot show object values"):
        to_json(Odd(things=[object()]))


def test_a_signed_batch_verifies_parses_to_its_expected_file_and_a_tampered_body_is_refused(tmp_path: Path) -> None:
    fixture = write_fixture(tmp_path, "batch", BODY, sign(BODY))
    fixture.expected_path.write_text(json.dumps([
        {"type": "InboundMessage", "channel": "sms", "provider_message_id": "SM1",
         "sender": {"kind": "phone", "value": "+12025550101"}, "body_text": "Pothole on 5th"},
        {"type": "DeliveryReport", "channel": "sms", "provider_message_id": "ST9", "about": ["SM0"],
         "outcome": "delivered"},
    ]))
    assert check_verification(SignedJsonAdapter(), fixture)
    check_adapter(SignedJsonAdapter(), fixture)


def test_an_adapter_that_accepts_a_tampered_body_fails_the_check(tmp_path: Path) -> None:
    class Careless(SignedJsonAdapter):
        def verify(self, url: str, headers: dict[str, str], body: bytes, config: dict[str, Any]) -> bool:
            return True

    with pytest.raises(AssertionError, match="tampered body"):
        check_verification(Careless(), write_fixture(tmp_path, "batch", BODY, sign(BODY)))
    assert tampered(b"abc") != b"abc" and tampered(b"") == b"x"


def test_a_forged_request_must_be_refused(tmp_path: Path) -> None:
    forged = write_fixture(tmp_path, "forged", BODY, "0" * 64, verifies=False)
    assert check_verification(SignedJsonAdapter(), forged)

    class Open(SignedJsonAdapter):
        def verify(self, url: str, headers: dict[str, str], body: bytes, config: dict[str, Any]) -> bool:
            return True

    with pytest.raises(AssertionError, match="accepted forged, which is forged"):
        check_verification(Open(), forged)


def test_a_verify_that_crashes_is_a_bug_not_a_refusal(tmp_path: Path) -> None:
    fixture = write_fixture(tmp_path, "batch", BODY, sign(BODY))
    with pytest.raises(KeyError):
        check_verification(SignedJsonAdapter(), fixture, config={})


def test_an_adapter_without_verify_skips_the_signature_check(tmp_path: Path) -> None:
    assert not check_verification(SingleObjectAdapter(), write_fixture(tmp_path, "x", b"id-1"))


def test_a_mismatch_shows_a_diff_and_names_the_regeneration_switch(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    fixture = write_fixture(tmp_path, "batch", BODY, sign(BODY))
    fixture.expected_path.write_text("[]")
    with pytest.raises(AssertionError) as failure:
        check_parse(SignedJsonAdapter(), fixture)
    assert UPDATE_ENV in str(failure.value) and '+    "body_text": "Pothole on 5th",' in str(failure.value)


def test_regeneration_writes_the_expected_file_which_then_matches(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = write_fixture(tmp_path, "one", b"id-1", meta={"why": "typing indicator"})
    monkeypatch.setenv(UPDATE_ENV, "1")
    check_parse(SingleObjectAdapter(), fixture)  # a single object is wrapped in a list
    assert json.loads(fixture.expected_path.read_text()) == [
        {"type": "Ignored", "channel": "email", "provider_message_id": "id-1", "reason": "typing indicator"}]
    monkeypatch.setenv(UPDATE_ENV, "0")
    check_parse(SingleObjectAdapter(), fixture)


def test_a_parse_error_is_an_expected_outcome_and_a_missing_file_says_how_to_make_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    fixture = write_fixture(tmp_path, "junk", b"{not json")
    with pytest.raises(AssertionError, match="is missing; write it with UPDATE_ADAPTER_FIXTURES=1"):
        check_parse(SignedJsonAdapter(), fixture)
    fixture.expected_path.write_text(json.dumps({"raises": "ParseError", "message": "not JSON"}))
    check_parse(SignedJsonAdapter(), fixture)


def test_fixture_names_follow_the_files_and_unknown_header_keys_are_refused(tmp_path: Path) -> None:
    (tmp_path / "b.eml").write_bytes(b"x")
    (tmp_path / "a.eml").write_bytes(b"y")
    (tmp_path / "a.expected.json").write_text("[]")
    assert FixtureDir(tmp_path, body_suffix=".eml").names() == ["a", "b"]
    (tmp_path / "a.headers.json").write_text(json.dumps({"header": {}}))
    with pytest.raises(ValueError, match="unknown keys"):
        FixtureDir(tmp_path, body_suffix=".eml").load("a")
