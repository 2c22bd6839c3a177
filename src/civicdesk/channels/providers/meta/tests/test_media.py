"""Files residents send by Messenger or Instagram: fetched from Meta's signed address, within the size and types."""

from typing import Any

import pytest

from civicdesk.channels.media import MediaFetchFailed, MediaRejected
from civicdesk.channels.providers.meta import media


class FakeResponse:
    def __init__(self, status: int, content: bytes = b"", content_type: str = "image/jpeg") -> None:
        self.status_code, self.content, self.headers = status, content, {"content-type": content_type}

    def __enter__(self) -> "FakeResponse":
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def iter_content(self, size: int) -> Any:
        yield from (self.content[i:i + size] for i in range(0, len(self.content), size))


def serve(monkeypatch: pytest.MonkeyPatch, response: FakeResponse) -> None:
    monkeypatch.setattr(media.requests, "get", lambda *args, **kwargs: response)


def test_a_picture_is_fetched_and_an_expired_link_or_a_refused_type_is_not(monkeypatch: pytest.MonkeyPatch,
                                                                          settings: Any) -> None:
    url = "https://scontent.xx.fbcdn.net/v/t1.15752-9/pothole.jpg?oh=1"
    serve(monkeypatch, FakeResponse(200, b"\xff\xd8jpeg"))
    assert media.fetch_media(url).content == b"\xff\xd8jpeg"
    serve(monkeypatch, FakeResponse(403))
    with pytest.raises(MediaRejected, match="expired"):
        media.fetch_media(url)
    serve(monkeypatch, FakeResponse(200, b"MZ", "application/x-msdownload"))
    with pytest.raises(MediaRejected, match="not accepted"):
        media.fetch_media(url)
    settings.INBOUND_MEDIA_MAX_BYTES = 3
    serve(monkeypatch, FakeResponse(200, b"\xff\xd8jpeg"))
    with pytest.raises(MediaRejected, match="larger"):
        media.fetch_media(url)
    serve(monkeypatch, FakeResponse(503))
    with pytest.raises(MediaFetchFailed):
        media.fetch_media(url)
    with pytest.raises(MediaRejected):
        media.fetch_media("http://example.com/x.jpg")
