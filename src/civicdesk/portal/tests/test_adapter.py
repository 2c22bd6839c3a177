"""WebAdapter: the JSON the portal stores parses into an InboundMessage; anything else is quarantined."""

import base64
import json

import pytest

from civicdesk.channels.media import stage_file
from civicdesk.channels.models import PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.protocol import ParseError
from civicdesk.conversations.pipeline import process
from civicdesk.portal.adapter import WebAdapter

PAYLOAD = {
    "version": 1, "form_token": "tok-1", "service_code": "pothole", "service_name": "Pothole",
    "description": "Hole", "attributes": {"size": "large"}, "address": "1 Main St", "lat": 40.5, "lon": -74.0,
    "contact": {"first_name": "Ada", "last_name": "L", "email": "ada@example.com", "phone": "+12024561111"},
    "photos": [{"filename": "photo-1.png", "content_type": "image/png",
                "data_base64": base64.b64encode(b"png-bytes").decode()}],
}


def parse(data):
    [message] = WebAdapter().parse(json.dumps(data).encode(), {})
    return message


def test_parse_maps_every_field():
    message = parse(PAYLOAD)
    assert message.provider_message_id == "tok-1" and message.channel == "web"
    assert (message.sender.kind, message.sender.value) == ("email", "ada@example.com")
    assert [(i.kind, i.value) for i in message.extra_identities] == [("phone", "+12024561111")]
    assert message.contact_name == "Ada L" and message.subject == "Pothole" and message.body_text == "Hole"
    assert message.service_code == "pothole" and message.attributes == {"size": "large"}
    assert (message.address, message.lat, message.lon) == ("1 Main St", 40.5, -74.0)
    assert message.attachments[0].content == b"png-bytes" and message.attachments[0].is_public
    assert message.always_new_case


def test_phone_only_resident_is_the_sender():
    message = parse({**PAYLOAD, "contact": {"phone": "+12024561111"}})
    assert message.sender.kind == "phone" and message.extra_identities == []


@pytest.mark.parametrize("bad", [
    b"not json", b"[]", json.dumps({**PAYLOAD, "version": 3}).encode(),
    json.dumps({**PAYLOAD, "service_code": ""}).encode(), json.dumps({**PAYLOAD, "lat": 91}).encode(),
    json.dumps({**PAYLOAD, "photos": [{"data_base64": "***"}]}).encode(),
    json.dumps({**PAYLOAD, "photos": [{"sha256": "../../etc/passwd"}]}).encode(),
    json.dumps({**PAYLOAD, "description": 5}).encode(),
])
def test_bad_payloads_raise_parse_error(bad):
    with pytest.raises(ParseError):
        WebAdapter().parse(bad, {})


@pytest.mark.django_db
def test_unparseable_submission_is_quarantined_not_lost():
    payload, _ = store_payload("web", b"{}", provider_message_id="x-1")
    result = process(payload)
    payload.refresh_from_db()
    assert result.case is None and payload.status == PayloadStatus.QUARANTINED and bytes(payload.raw) == b"{}"


@pytest.mark.django_db
def test_a_version_2_payload_names_staged_photos_and_a_missing_one_is_quarantined(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    staged = stage_file("web", b"png-bytes")
    data = {**PAYLOAD, "version": 2, "photos": [{"filename": "p.png", "content_type": "image/png",
                                                 "sha256": staged.sha256, "size": staged.size}]}
    assert parse(data).attachments[0].content == b"png-bytes"
    (tmp_path / staged.path).unlink()
    payload, _ = store_payload("web", json.dumps(data).encode(), provider_message_id="tok-2")
    assert process(payload).case is None
    payload.refresh_from_db()
    assert payload.status == PayloadStatus.QUARANTINED and "missing" in payload.error
