"""A local server speaking Mastodon's streaming API as documented (GET /api/v1/streaming/user, /public and
/hashtag?tag=: `event:` and `data:` lines, a blank line after each event, `:` heartbeats), its /api/v2/instance
naming the streaming host, and /api/v1/notifications with X-RateLimit-* headers: for the stream tests and the
streaming benchmark.

Events are queued with `emit(name, data)`; every connected stream receives each one. Runs in a thread (tests) or
as a process (`python -m civicdesk.channels.providers.mastodon.tests.sse_server PORT`, the benchmark)."""

import json
import queue
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "sse-test-token"  # a test server's token, not a credential


class StreamServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, *, heartbeat: float = 0.2) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.heartbeat = heartbeat
        self.streams: list[queue.Queue[bytes | None]] = []
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.notifications: list[dict[str, Any]] = []
        self.refuse_stream = 0  # answer this many stream connections with 429
        self.seen_authorization: list[str] = []
        self.statuses: dict[str, dict[str, Any]] = {}  # what GET /api/v1/statuses/:id answers
        self.posted: list[dict[str, Any]] = []  # our replies: POST /api/v1/statuses, one per Idempotency-Key
        self.keys: dict[str, str] = {}
        self.stream_paths: list[str] = []  # every stream connection's path and query, in order

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def emit(self, name: str, data: str) -> None:
        """One event to every open stream, as Mastodon writes it."""
        chunk = f"event: {name}\ndata: {data}\n\n".encode()
        if name == "notification":
            status = json.loads(data).get("status")
            if isinstance(status, dict):
                self.statuses[str(status["id"])] = status
        with self.lock:
            for stream in self.streams:
                stream.put(chunk)

    def start(self) -> "StreamServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        with self.lock:
            for stream in self.streams:
                stream.put(None)
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: StreamServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        url = urlsplit(self.path)
        self.server.seen_authorization.append(self.headers.get("Authorization", ""))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._json(401, {"error": "The access token is invalid"})
            return
        reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 300))
        limits = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": reset}
        if url.path == "/api/v2/instance":
            streaming = self.server.base_url.replace("http://", "ws://")
            self._json(200, {"domain": "mastodon.riverbend.example", "version": "4.5.0",
                             "configuration": {"urls": {"streaming": streaming}}}, limits)
        elif url.path == "/api/v1/notifications":
            since = parse_qs(url.query).get("min_id", ["0"])[0]
            found = [n for n in self.server.notifications if (len(n["id"]), n["id"]) > (len(since), since)]
            self._json(200, sorted(found, key=lambda n: (len(n["id"]), n["id"]), reverse=True), limits)
        elif url.path.startswith("/api/v1/statuses/") and url.path.endswith("/context"):
            self._json(200, {"ancestors": [], "descendants": []}, limits)
        elif url.path.startswith("/api/v1/statuses/"):
            found = self.server.statuses.get(url.path.rsplit("/", 1)[-1])
            self._json(200 if found else 404, found or {"error": "Record not found"}, limits)
        elif url.path in ("/api/v1/streaming/user", "/api/v1/streaming/public", "/api/v1/streaming/hashtag"):
            self.server.stream_paths.append(self.path)
            self._stream()
        else:
            self._json(404, {"error": "Record not found"})

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        """POST /api/v1/statuses: our reply, kept once per Idempotency-Key."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if "json" in self.headers.get("Content-Type", ""):
            form = {name: [str(value)] for name, value in json.loads(body or "{}").items()}
        else:
            form = parse_qs(body)
        if urlsplit(self.path).path != "/api/v1/statuses" or self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._json(404, {"error": "Record not found"})
            return
        key = self.headers.get("Idempotency-Key", "")
        with self.server.lock:
            if key not in self.server.keys:
                number = str(990000000 + len(self.server.posted))
                self.server.posted.append({"id": number, "idempotency_key": key,
                                           **{name: values[0] for name, values in form.items()}})
                self.server.keys[key] = number
            number = self.server.keys[key]
        self._json(200, {"id": number, "visibility": form.get("visibility", ["public"])[0]})

    def _stream(self) -> None:
        if self.server.refuse_stream > 0:
            self.server.refuse_stream -= 1
            reset = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 30))
            self._json(429, {"error": "Too many requests"},
                       {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset})
            return
        events: queue.Queue[bytes | None] = queue.Queue()
        with self.server.lock:
            self.server.streams.append(events)
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.server.connected.set()
        try:
            self._chunk(b":)\n")
            while True:
                try:
                    item = events.get(timeout=self.server.heartbeat)
                except queue.Empty:
                    item = b":thump\n"
                if item is None:
                    self._chunk(b"")
                    return
                self._chunk(item)
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            with self.server.lock:
                self.server.streams.remove(events)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


if __name__ == "__main__":  # the benchmark's server: emits a mention per line read from stdin ("name<TAB>data")
    server = StreamServer(int(sys.argv[1]) if len(sys.argv) > 1 else 0, heartbeat=5.0).start()
    print(server.base_url, flush=True)
    for line in sys.stdin:
        name, _, data = line.rstrip("\n").partition("\t")
        server.emit(name, data)
