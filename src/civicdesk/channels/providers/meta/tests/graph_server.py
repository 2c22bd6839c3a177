"""A local Graph API server for tests: a threaded HTTP server that checks what we send as Meta documents it (the
page token, appsecret_proof, the Send API's recipient, messaging_type and tag rules, the 24-hour and 7-day windows)
and records every call; and a webhook sender that signs exactly as Meta does."""

import hashlib
import hmac
import itertools
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

VERSION = "v25.0"
MESSAGE_TAGS = {"HUMAN_AGENT", "CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE"}
INSTAGRAM_TAGS = {"HUMAN_AGENT"}


@dataclass
class Call:
    method: str
    path: str  # without the version prefix, e.g. "/12345/messages"
    body: dict[str, Any]
    token: str
    proof: str


@dataclass
class Owner:
    """A page or an Instagram account the server knows: its token, its app's secret, and who wrote to it when."""

    token: str
    app_secret: str
    instagram: bool = False
    last_wrote: dict[str, datetime] = field(default_factory=dict)  # user id -> their last message


class GraphServer:
    def __init__(self) -> None:
        self.owners: dict[str, Owner] = {}
        self.calls: list[Call] = []
        self.comments: dict[str, dict[str, Any]] = {}  # comment id -> {"owner", "hidden", "replies"}
        self.failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self.usage = {"call_count": 5, "total_cputime": 2, "total_time": 3}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{VERSION}"

    def start(self) -> "GraphServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- what a test sets up ------------------------------------------------------------------------------------

    def add_owner(self, owner_id: str, token: str, app_secret: str, instagram: bool = False) -> None:
        self.owners[owner_id] = Owner(token, app_secret, instagram)

    def user_wrote(self, owner_id: str, user_id: str, at: datetime | None = None) -> None:
        self.owners[owner_id].last_wrote[user_id] = at or datetime.now(UTC)

    def add_comment(self, owner_id: str, comment_id: str) -> None:
        self.comments[comment_id] = {"owner": owner_id, "hidden": False, "replies": []}

    def fail_next(self, status: int, code: int, message: str = "", subcode: int | None = None,
                  headers: dict[str, str] | None = None) -> None:
        error: dict[str, Any] = {"message": message or f"Error {code}", "type": "OAuthException", "code": code,
                                 "fbtrace_id": "AbCdEf"}
        if subcode is not None:
            error["error_subcode"] = subcode
        self.failures.append((status, {"error": error}, headers or {}))

    # --- the protocol -----------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: dict[str, list[str]], headers: Any,
               raw: bytes) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not path.startswith(f"/{VERSION}/"):
            return 400, _error(2635, "Unknown API version"), {}
        path = path[len(VERSION) + 1:]
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        proof = (query.get("appsecret_proof") or [""])[0]
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 400, _error(100, "Invalid JSON body"), {}
        with self.lock:
            self.calls.append(Call(method, path, body, token, proof))
            if self.failures:
                return self.failures.pop(0)
        parts = [p for p in path.split("/") if p]
        owner_id = parts[0] if len(parts) == 2 and parts[1] == "messages" else self._owner_of(parts[0])
        owner = self.owners.get(owner_id or "")
        if owner is None:
            return 400, _error(100, "Unsupported post request. Object does not exist", 33), {}
        if not token or token != owner.token:
            return 400, _error(190, "Invalid OAuth access token."), {}
        expected = hmac.new(owner.app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(proof, expected):
            return 400, _error(100, "Invalid appsecret_proof provided in the API argument"), {}
        usage = {"X-App-Usage": json.dumps(self.usage)}
        if len(parts) == 2 and parts[1] == "messages":
            status, answer = self._send(owner, parts[0], body)
        elif len(parts) == 2 and parts[1] in ("comments", "replies"):
            status, answer = self._reply(owner, parts[0], parts[1], body)
        elif len(parts) == 1:
            status, answer = self._hide(owner, parts[0], body)
        else:
            status, answer = 400, _error(100, "Unknown path")
        return status, answer, usage

    def _owner_of(self, comment_id: str) -> str | None:
        found = self.comments.get(comment_id)
        return found["owner"] if found else None

    def _send(self, owner: Owner, owner_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        recipient = body.get("recipient") or {}
        text = ((body.get("message") or {}).get("text") or "")
        if not text or len(text) > (1000 if owner.instagram else 2000):
            return 400, _error(100, "Invalid parameter: message text")
        if "comment_id" in recipient:  # a private reply to a comment
            comment = self.comments.get(str(recipient["comment_id"]))
            if comment is None or comment["owner"] != owner_id:
                return 400, _error(100, "No matching comment", 2018001)
            return 200, {"recipient_id": f"user-of-{recipient['comment_id']}", "message_id": self._mid()}
        user = str(recipient.get("id") or "")
        kind, tag = body.get("messaging_type"), body.get("tag")
        if kind not in ("RESPONSE", "UPDATE", "MESSAGE_TAG"):
            return 400, _error(100, "Invalid messaging_type")
        if kind == "MESSAGE_TAG" and tag not in (INSTAGRAM_TAGS if owner.instagram else MESSAGE_TAGS):
            return 400, _error(100, "Invalid tag")
        if kind != "MESSAGE_TAG" and tag:
            return 400, _error(100, "A tag needs messaging_type MESSAGE_TAG")
        wrote = owner.last_wrote.get(user)
        if wrote is None:
            return 400, _error(100, "No matching user found", 2018001)
        age = datetime.now(UTC) - wrote
        allowed = timedelta(days=7) if tag == "HUMAN_AGENT" else timedelta(hours=24)
        if age > allowed:
            return 400, _error(10, "This message is sent outside of allowed window.", 2018278)
        return 200, {"recipient_id": user, "message_id": self._mid()}

    def _reply(self, owner: Owner, comment_id: str, edge: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if (edge == "replies") != owner.instagram:
            return 400, _error(100, f"Unsupported edge {edge}")
        if not body.get("message"):
            return 400, _error(100, "The message is required")
        reply_id = f"{comment_id}_r{next(self.ids)}"
        self.comments[comment_id]["replies"].append({"id": reply_id, "message": body["message"]})
        return 200, {"id": reply_id}

    def _hide(self, owner: Owner, comment_id: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        field_name = "hide" if owner.instagram else "is_hidden"
        if not isinstance(body.get(field_name), bool):
            return 400, _error(100, f"{field_name} must be a boolean")
        self.comments[comment_id]["hidden"] = body[field_name]
        return 200, {"success": True}

    def _mid(self) -> str:
        return f"m_local{next(self.ids):06d}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                split = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, body, headers = server.handle("POST", split.path, parse_qs(split.query), self.headers, raw)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        return Handler


def _error(code: int, message: str, subcode: int | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def sign(app_secret: str, body: bytes) -> str:
    """As Meta signs a webhook POST: sha256= and the lower-case hex HMAC-SHA256 of the raw bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_headers(app_secret: str, body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(app_secret, body), "Content-Type": "application/json",
            "User-Agent": "facebookexternalua"}
