"""Signature helpers: Meta's X-Hub-Signature-256, Twilio's X-Twilio-Signature and the timestamp window."""

import base64
import hashlib
import hmac

from civicdesk.channels import signatures


def test_a_hub_signature_is_sha256_hex_over_the_raw_bytes() -> None:
    body = b'{"object":"page"}'
    expected = "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert signatures.hub_signature("secret", body) == expected
    assert signatures.valid_hub_signature("secret", body, expected)
    assert signatures.valid_hub_signature("secret", body, expected.upper().replace("SHA256=", "sha256="))


def test_a_hub_signature_fails_on_other_bytes_secret_scheme_or_nothing() -> None:
    body = b'{"object":"page"}'
    good = signatures.hub_signature("secret", body)
    assert not signatures.valid_hub_signature("secret", body + b" ", good)
    assert not signatures.valid_hub_signature("other", body, good)
    assert not signatures.valid_hub_signature("secret", body, good.replace("sha256=", "sha1="))
    assert not signatures.valid_hub_signature("secret", body, None)
    assert not signatures.valid_hub_signature("", body, signatures.hub_signature("", body))
    assert not signatures.valid_hub_signature("secret", body, "sha256=\u00e9\u00e9")


def test_a_twilio_signature_covers_the_url_and_the_sorted_parameters() -> None:
    url = "https://311.riverbend.example/hooks/twilio/3/"
    body = b"To=%2B15005550006&From=%2B15551234567&Body=Pothole+on+Main&MessageSid=SM1"
    data = url + "Body" + "Pothole on Main" + "From" + "+15551234567" + "MessageSid" + "SM1" + "To" + "+15005550006"
    expected = base64.b64encode(hmac.new(b"token", data.encode(), hashlib.sha1).digest()).decode()
    assert signatures.valid_twilio_signature("token", url, body, expected)
    reordered = b"MessageSid=SM1&Body=Pothole+on+Main&To=%2B15005550006&From=%2B15551234567"
    assert signatures.valid_twilio_signature("token", url, reordered, expected)
    assert not signatures.valid_twilio_signature("token", url, body.replace(b"Main", b"Elm"), expected)
    assert not signatures.valid_twilio_signature("token", url + "?x=1", body, expected)
    assert not signatures.valid_twilio_signature("other", url, body, expected)
    assert not signatures.valid_twilio_signature("token", url, body, None)


def test_a_twilio_signature_made_with_or_without_the_default_port_is_accepted() -> None:
    body = b"MessageSid=SM1&Body=hi"
    with_port = signatures.twilio_signature("token", "https://311.riverbend.example:443/hooks/twilio/3/",
                                            signatures.form_params(body))
    assert signatures.valid_twilio_signature("token", "https://311.riverbend.example/hooks/twilio/3/", body,
                                             with_port)


def test_repeated_twilio_parameters_are_signed_sorted() -> None:
    params = signatures.form_params(b"MediaUrl=b&MediaUrl=a&Empty=")
    assert params == {"MediaUrl": ["b", "a"], "Empty": [""]}
    data = "https://x.example/" + "Empty" + "" + "MediaUrl" + "a" + "MediaUrl" + "b"
    expected = base64.b64encode(hmac.new(b"t", data.encode(), hashlib.sha1).digest()).decode()
    assert signatures.twilio_signature("t", "https://x.example/", params) == expected


def test_the_timestamp_window_refuses_old_future_and_garbage_stamps() -> None:
    now = 1_800_000_000.0
    assert signatures.within_window(str(int(now) - 299), 300, now=now)
    assert not signatures.within_window(now - 301, 300, now=now)
    assert not signatures.within_window(now + 301, 300, now=now)
    for garbage in (None, "", "soon", "nan", "inf"):
        assert not signatures.within_window(garbage, 300, now=now)
