"""The Open311 client reads answers with byte and nesting caps; one endpoint's bad answer never stops the rest."""

import threading
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.utils import timezone

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.open311 import forwarding
from civicdesk.open311.client import GeoReportClient, Open311ClientError
from civicdesk.open311.models import ExternalEndpoint, ForwardedCase, ForwardState
from civicdesk.testing.factories import create_case

CAP = 1_000_000
HUGE = 100 * 1024 * 1024  # what the endpoint would send if we let it
CHUNK = b'{"service_request_id": "H1", "status": "open", "status_notes": "' + b"x" * 4000 + b'"},'
GOOD = b'[{"service_request_id": "G1", "status": "closed", "status_notes": "Fixed it.", ' \
       b'"updated_datetime": "2026-01-02T03:04:05Z"}]'
DEEP_JSON = b"[" * 200_000 + b"]" * 200_000
DEEP_XML = b"<service_requests_updates>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</service_requests_updates>"


class FarAwayCities(BaseHTTPRequestHandler):
    """Four jurisdictions on one loopback server, told apart by the first path segment."""

    served: dict[str, int] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        city = self.path.strip("/").split("/")[0]
        if city == "huge-streamed":
            self._stream(city, declared=False)
        elif city == "huge-declared":
            self._stream(city, declared=True)
        else:
            body = {"deep-json": DEEP_JSON, "deep-xml": DEEP_XML, "good": GOOD}[city]
            self._send(city, body)

    def _send(self, city: str, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/xml" if city == "deep-xml" else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.served[city] = self.served.get(city, 0) + len(body)

    def _stream(self, city: str, *, declared: bool) -> None:
        """About 100 MB of a valid-looking JSON list, written chunk by chunk (never held in memory)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if declared:
            self.send_header("Content-Length", str(HUGE))
        self.end_headers()
        self.served[city] = 0
        try:
            self.wfile.write(b"[")
            while self.served[city] < HUGE:
                self.wfile.write(CHUNK)
                self.served[city] += len(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client stopped reading, as it should


@pytest.fixture
def far_away() -> Iterator[str]:
    FarAwayCities.served = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FarAwayCities)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoints(db: Any, far_away: str, settings: Any) -> dict[str, ForwardedCase]:
    """A forwarded case, accepted and being followed, at each far-away city; the bad ones sort first."""
    settings.OPEN311_MAX_RESPONSE_BYTES = CAP
    services = {s.code: s for s in seed_services(seed_agencies())}
    forwards = {}
    for order, (city, fmt, updates) in enumerate([("deep-json", "json", False), ("deep-xml", "xml", True),
                                                  ("huge-streamed", "json", False), ("huge-declared", "json", False),
                                                  ("good", "json", False)]):
        endpoint = ExternalEndpoint.objects.create(name=f"{order} {city}", url=f"{far_away}/{city}/open311/v2/",
                                                   format=fmt, supports_updates=updates)
        case = create_case(channel=Channel.WEB, service=services["pothole"], email=f"{city}@example.com",
                           lat=40.0, lon=-75.1)
        forwards[city] = ForwardedCase.objects.create(case=case, endpoint=endpoint, state=ForwardState.SENT,
                                                      remote_id="G1", remote_status="open",
                                                      created_at=timezone.now())
    return forwards


def test_bad_endpoints_are_recorded_and_the_good_one_is_still_pulled(endpoints):
    assert forwarding.pull_all() == 1
    good = endpoints["good"]
    good.refresh_from_db()
    assert good.remote_status == "closed" and good.state == ForwardState.CLOSED
    assert Message.objects.filter(case=good.case, channel=Channel.OPEN311, direction=Direction.INBOUND,
                                  body_text="Fixed it.").exists()
    errors = {city: ExternalEndpoint.objects.get(pk=f.endpoint_id) for city, f in endpoints.items()}
    assert "nested deeper" in errors["deep-json"].last_pull_error
    assert "nested deeper" in errors["deep-xml"].last_pull_error
    assert "OPEN311_MAX_RESPONSE_BYTES" in errors["huge-streamed"].last_pull_error
    assert "OPEN311_MAX_RESPONSE_BYTES" in errors["huge-declared"].last_pull_error
    assert errors["good"].last_pull_error == "" and errors["good"].last_pull_failed_at is None
    assert all(errors[c].last_pull_failed_at for c in ("deep-json", "deep-xml", "huge-streamed", "huge-declared"))
    for city in ("deep-json", "deep-xml", "huge-streamed", "huge-declared"):
        endpoints[city].refresh_from_db()
        assert endpoints[city].state == ForwardState.SENT  # nothing applied from a refused answer


def test_a_100_mb_answer_is_not_read_past_the_cap_and_memory_stays_bounded(endpoints):
    tracemalloc.start()
    try:
        forwarding.pull_all()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * CAP, f"peak {peak} bytes"
    assert FarAwayCities.served["huge-streamed"] < 20 * CAP  # the client hung up soon after the cap
    assert FarAwayCities.served["huge-declared"] < 20 * CAP  # refused on its Content-Length


def test_a_later_good_pull_clears_the_recorded_error(endpoints, far_away):
    forwarding.pull_all()
    endpoint = endpoints["deep-json"].endpoint
    ExternalEndpoint.objects.filter(pk=endpoint.pk).update(url=f"{far_away}/good/open311/v2/")
    forwarding.pull_all()
    endpoint.refresh_from_db()
    assert endpoint.last_pull_error == ""


@pytest.mark.parametrize("city,fmt", [("deep-json", "json"), ("huge-streamed", "json"), ("huge-declared", "json")])
def test_the_client_refuses_with_a_clear_error_rather_than_crashing(far_away, settings, city, fmt):
    settings.OPEN311_MAX_RESPONSE_BYTES = CAP
    client = GeoReportClient(f"{far_away}/{city}/open311/v2/", fmt=fmt)
    with pytest.raises(Open311ClientError, match="nested deeper|more than"):
        client.requests(ids=["G1"])


def test_the_client_refuses_deep_xml_updates(far_away):
    client = GeoReportClient(f"{far_away}/deep-xml/open311/v2/", fmt="xml")
    with pytest.raises(Open311ClientError, match="nested deeper"):
        client.updates("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
