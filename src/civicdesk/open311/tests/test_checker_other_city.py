"""The checker pointed at another city's endpoint: a real HTTP server answering with San Francisco's recorded XML."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from civicdesk.open311.checker import Checker
from civicdesk.open311.tests.conftest import needs_shared_responses, real_response

pytestmark = needs_shared_responses

ANSWERS = {"/v2/services.xml": "services.xml", "/v2/requests.xml": "service_requests.xml"}


class RecordedCity(BaseHTTPRequestHandler):
    """Serves the recorded responses with the bare `text/xml` many servers send; no JSON, no discovery, no keys."""

    def _answer(self) -> None:
        name = ANSWERS.get(self.path.split("?")[0])
        if self.command == "POST":
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            name = "post_service_request.xml"  # accepts anything, without an api_key
        body = real_response(name) if name else b"<html>Not found</html>"
        self.send_response(200 if name else 404)
        self.send_header("Content-Type", "text/xml" if name else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def other_city() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordedCity)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v2/"
    finally:
        server.shutdown()
        server.server_close()


def test_checker_reports_each_broken_rule_of_another_city(other_city):
    results = {r.rule: r for r in Checker(other_city, api_key="their-key").run()}
    failed = {rule for rule, result in results.items() if not result.ok}
    assert {"r1 discovery", "r1 services", "r2 errors", "r6 post"} <= failed
    assert results["r6 attributes"].verdict == "SKIP"  # every SF service has metadata=false
    assert "location" not in results["r6 post"].detail and "HTTP 200" in results["r6 post"].detail
    assert "text/xml; charset=utf-8" in results["r1 services"].detail  # the Content-Type rule
    assert "<errors>" in results["r2 errors"].detail  # its 404 is an HTML page
    assert results["r1 unknown_format"].ok  # services.csv is a 404 there


def test_checker_command_prints_pass_fail_and_skip_and_exits_1(other_city, capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as caught:
        call_command("open311_check", other_city)
    out = capsys.readouterr().out
    assert caught.value.code == 1
    assert "FAIL r1 services" in out and "PASS r1 unknown_format" in out and "SKIP r6 post" in out
    assert out.strip().splitlines()[-1].endswith("rule(s) failed.")
