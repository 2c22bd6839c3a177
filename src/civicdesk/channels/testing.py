"""The adapter contract harness: runs a channel adapter over fixture files, like Zulip's WebhookTestCase.

A fixture directory holds, per fixture `<name>`:

- `<name>.body`: the raw bytes as the provider sent them (a directory may use another suffix, e.g. `.eml`);
- `<name>.headers.json` (optional): `{"url": ..., "headers": {...}, "meta": {...}, "config": {...},
  "verifies": true, "provider_message_id": ...}`: the request URL and headers a signature is checked over, the
  transport meta the entry point stores with the payload (envelope sender, Open311 app), the test account's
  config the signature was made with (test secrets only), whether the request is genuine (false for a forged one),
  and the provider id the entry point stores it under (default: the adapter's own);
- `<name>.expected.json`: what `parse` returns, as JSON (see `to_json`): a list of events, or
  `{"raises": "ParseError", "message": ...}` for a payload that must go to quarantine.

The checks (each a function, so an app's test module composes them, one parametrised test per check):

- `check_verification`: when the adapter has `verify(url, headers, body, config)`, the fixture verifies (or,
  with `"verifies": false`, is refused) and the same request with a tampered body is refused;
- `check_parse`: `parse` output as JSON equals the expected file, with a unified diff when it does not;
- `check_stored_once` and `check_processed_once` (database): the same body stored twice is one payload, and the
  pipeline run again over it (a retry, then an admin replay) makes no second message or case.

A new fixture is a new file: tests parametrise over `FixtureDir(...).names()`.

Regenerating the expected files (after a change to the event types or to a parser; review the diff after):

    make adapter-fixtures

which runs every `test_adapter_contract.py` with UPDATE_ADAPTER_FIXTURES=1: in that mode `check_parse` writes
`<name>.expected.json` instead of comparing. One fixture: add `-k <name>` to a pytest run with the variable set.
A new adapter's tests are a `tests/test_adapter_contract.py` (so `make adapter-fixtures` finds them) and a
fixture directory.

This module sits in the channel layer: it imports nothing above `channels/`. The pipeline is passed in
(`process=`, `replay=`) by the test modules of the apps above, and cases are counted through the app registry.
"""

import dataclasses
import datetime
import decimal
import difflib
import enum
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models

from civicdesk.channels.models import InboundPayload
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ParseError

UPDATE_ENV = "UPDATE_ADAPTER_FIXTURES"
HEADERS_SUFFIX = ".headers.json"
EXPECTED_SUFFIX = ".expected.json"
BUG_ERRORS = (AttributeError, KeyError, NameError, TypeError)  # a verify() raising these is broken, not refusing


def updating() -> bool:
    """True when the expected files are to be (re)written rather than compared (UPDATE_ADAPTER_FIXTURES=1)."""
    return os.environ.get(UPDATE_ENV, "").strip().lower() not in ("", "0", "false", "no")


@dataclass(frozen=True)
class AdapterFixture:
    """One recorded provider request: its raw body, its transport facts, and where its expected parse lives."""

    name: str
    body: bytes
    expected_path: Path
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)
    verifies: bool = True
    provider_message_id: str = ""

    @property
    def content_type(self) -> str:
        found = {key.lower(): value for key, value in self.headers.items()}.get("content-type", "")
        return str(found or self.meta.get("content_type", ""))


@dataclass(frozen=True)
class FixtureDir:
    """A directory of adapter fixtures; `body_suffix` lets existing files (`.eml`) serve without copies."""

    path: Path
    body_suffix: str = ".body"

    def names(self) -> list[str]:
        """Every fixture in the directory, sorted: what a test parametrises over."""
        return sorted(p.name.removesuffix(self.body_suffix) for p in self.path.glob(f"*{self.body_suffix}"))

    def load(self, name: str) -> AdapterFixture:
        body = (self.path / f"{name}{self.body_suffix}").read_bytes()
        headers_path = self.path / f"{name}{HEADERS_SUFFIX}"
        extra: dict[str, Any] = json.loads(headers_path.read_text("utf-8")) if headers_path.exists() else {}
        unknown = set(extra) - {"url", "headers", "meta", "config", "verifies", "provider_message_id"}
        if unknown:
            raise ValueError(f"{headers_path.name}: unknown keys {sorted(unknown)}")
        return AdapterFixture(
            name=name, body=body, expected_path=self.path / f"{name}{EXPECTED_SUFFIX}", url=extra.get("url", ""),
            headers=extra.get("headers", {}), meta=extra.get("meta", {}), config=extra.get("config", {}),
            verifies=extra.get("verifies", True), provider_message_id=extra.get("provider_message_id", ""),
        )


# --- serialisation ---------------------------------------------------------------------------------------------

def to_json(value: Any, *, top: bool = True) -> Any:
    """Plain JSON for an adapter's output: dataclasses become objects (events carry a `type` key naming their
    class; fields still at their default are left out, so adding a defaulted field changes no expected file),
    bytes become {"sha256", "size"}, datetimes ISO 8601, choices their value, ORM rows "<app.Model: str>"."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__} if top else {}
        for item in dataclasses.fields(value):
            current = getattr(value, item.name)
            if not _is_default(item, current):
                out[item.name] = to_json(current, top=False)
        return out
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    if isinstance(value, enum.Enum):
        return to_json(value.value, top=False)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):  # no ORM object belongs in an event: visible in the file, to be removed
        return f"<{value._meta.label}: {value}>"
    if isinstance(value, dict):
        return {str(key): to_json(item, top=False) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item, top=False) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(to_json(item, top=False) for item in value)
    raise TypeError(f"The contract harness cannot show {type(value).__name__} values as JSON; add them to to_json")


def _is_default(item: dataclasses.Field[Any], current: Any) -> bool:
    if item.default is not dataclasses.MISSING:
        default = item.default
    elif item.default_factory is not dataclasses.MISSING:
        default = item.default_factory()
    else:
        return False
    same_kind = isinstance(current, bool) == isinstance(default, bool)  # False is not 0, True is not 1.0
    return same_kind and bool(current == default)


def events_of(result: Any) -> list[Any]:
    """parse() returns a list of events; an adapter not yet moved to that returns one object: wrapped."""
    return list(result) if isinstance(result, list | tuple) else [result]


def parse_output(adapter: Any, fixture: AdapterFixture) -> Any:
    """What the expected file holds: the events as JSON, or the ParseError that sends the payload to quarantine."""
    try:
        result = adapter.parse(fixture.body, dict(fixture.meta))
    except ParseError as exc:
        return {"raises": type(exc).__name__, "message": str(exc)}
    return [to_json(event) for event in events_of(result)]


# --- the checks ------------------------------------------------------------------------------------------------

def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def check_parse(adapter: Any, fixture: AdapterFixture) -> Any:
    """The parse output equals `<name>.expected.json` (or is written there when updating); returns the output."""
    actual = json.loads(json.dumps(parse_output(adapter, fixture)))  # tuples to lists, as the file holds them
    if updating():
        fixture.expected_path.write_text(_dump(actual), "utf-8")
        return actual
    if not fixture.expected_path.exists():
        raise AssertionError(f"{fixture.expected_path} is missing; write it with {UPDATE_ENV}=1 and review it")
    expected = json.loads(fixture.expected_path.read_text("utf-8"))
    if actual != expected:
        def canonical(value: Any) -> list[str]:
            return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True).splitlines(keepends=True)

        diff = "".join(difflib.unified_diff(canonical(expected), canonical(actual),
                                            f"{fixture.expected_path.name} (expected)", f"{fixture.name} (parsed)"))
        raise AssertionError(f"parse() of {fixture.name} differs from its expected file "
                             f"(if the change is intended: {UPDATE_ENV}=1, then review the diff):\n{diff}")
    return actual


def _accepted(adapter: Any, fixture: AdapterFixture, body: bytes, config: dict[str, Any]) -> bool:
    """True when verify() accepts; a False result or a raised refusal is a refusal; a bug is raised."""
    try:
        return bool(adapter.verify(fixture.url, dict(fixture.headers), body, config))
    except BUG_ERRORS:
        raise
    except Exception:  # noqa: BLE001 - adapters refuse by raising their own error types
        return False


def tampered(body: bytes) -> bytes:
    """The body with its last byte changed (one appended when empty): a signature over it must not hold."""
    if not body:
        return b"x"
    return body[:-1] + bytes([body[-1] ^ 0x01])


def check_verification(adapter: Any, fixture: AdapterFixture, config: dict[str, Any] | None = None) -> bool:
    """Signature verification over the raw bytes, when the adapter verifies: the fixture is accepted (or refused,
    when it says `"verifies": false`), and the same request with a tampered body is refused. Returns whether the
    check ran (False: the adapter has no verify(), nothing to check)."""
    verify = getattr(adapter, "verify", None)
    if not callable(verify):
        return False
    config = fixture.config if config is None else config
    accepted = _accepted(adapter, fixture, fixture.body, config)
    if accepted != fixture.verifies:
        raise AssertionError(f"verify() {'refused' if fixture.verifies else 'accepted'} {fixture.name}, which "
                             f"{'is genuine' if fixture.verifies else 'is forged'}")
    if fixture.verifies and _accepted(adapter, fixture, tampered(fixture.body), config):
        raise AssertionError(f"verify() accepted {fixture.name} with a tampered body")
    return True


def store(channel: str, fixture: AdapterFixture) -> tuple[InboundPayload, bool]:
    """Store the fixture as its entry point would (database)."""
    return store_payload(channel, fixture.body, meta=dict(fixture.meta), content_type=fixture.content_type[:120],
                         provider_message_id=fixture.provider_message_id)


def check_stored_once(channel: str, fixture: AdapterFixture) -> InboundPayload:
    """The same body received twice (a provider's retry, a replayed request) is one stored payload (database)."""
    before = InboundPayload.objects.filter(channel=channel).count()
    first, created = store(channel, fixture)
    again, created_again = store(channel, fixture)
    assert created and not created_again, f"{fixture.name}: the second copy was stored as a new payload"
    assert again.pk == first.pk
    assert InboundPayload.objects.filter(channel=channel).count() == before + 1
    return first


def _counts() -> tuple[int, int, int]:
    """(cases, inbound messages, all messages): an acknowledgement sent twice is a duplicate too."""
    case, message = apps.get_model("cases", "Case"), apps.get_model("cases", "Message")
    return case.objects.count(), message.objects.filter(direction="in").count(), message.objects.count()


def check_processed_once(channel: str, fixture: AdapterFixture, *,
                         process: Callable[[InboundPayload], Any],
                         replay: Callable[[InboundPayload], Any] | None = None) -> tuple[int, int]:
    """Processing the fixture's payload again (the retry of a job, a second copy received, an admin's replay)
    makes no second case or message, inbound or outbound. `process` and `replay` are the pipeline's
    (conversations.pipeline), passed in by the caller, which sits above this layer. Returns the cases and inbound
    messages the first processing made (database)."""
    start = _counts()
    payload = check_stored_once(channel, fixture)
    process(payload)
    made = _counts()
    payload.refresh_from_db()
    process(payload)
    again, _ = store(channel, fixture)
    process(again)
    if replay is not None:
        payload.refresh_from_db()
        replay(payload)
    now = _counts()
    assert now == made, (f"{fixture.name}: processing again made {now[0] - made[0]} more case(s), "
                         f"{now[1] - made[1]} more inbound and {now[2] - made[2]} more message(s) in all")
    return made[0] - start[0], made[1] - start[1]


def check_adapter(adapter: Any, fixture: AdapterFixture, config: dict[str, Any] | None = None) -> Any:
    """Zulip's check_webhook in one call, for an adapter's own test: verification, then the parse output."""
    check_verification(adapter, fixture, config)
    return check_parse(adapter, fixture)

