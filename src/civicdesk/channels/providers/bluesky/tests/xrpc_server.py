"""A small local XRPC server speaking the documented lexicons, for what the dev-env has no server for (Bluesky's
chat service is not open source) and for polling cases a real PDS cannot be made to show on demand (a burst of
600 notifications, a 429).

It answers com.atproto.server.createSession (a session for any handle and password it was given), the
notification and post reads the poll makes (listNotifications paged newest first by an opaque cursor, updateSeen,
getPosts), com.atproto.repo.listRecords and createRecord, and chat.bsky.convo.getLog, getConvoAvailability,
getConvoForMembers and sendMessage. Chat calls must carry the atproto-proxy header for did:web:api.bsky.chat and
a bearer token, as the PDS requires them. Every request is kept in `requests` for the tests to read.
"""

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"


def jwt(did: str, scope: str = "com.atproto.appPass") -> str:
    """An unsigned token shaped as a PDS's (the SDK reads its expiry)."""
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")
    return f"{part({'alg': 'ES256K', 'typ': 'at+jwt'})}.{part({'sub': did, 'scope': scope, 'exp': 4102444800})}.c2ln"


@dataclass
class State:
    did: str
    handle: str
    password: str
    notifications: list[dict[str, Any]] = field(default_factory=list)  # newest first, as the AppView lists them
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # uri -> post view
    logs: list[dict[str, Any]] = field(default_factory=list)  # the chat log, oldest first
    accepts_chat: set[str] = field(default_factory=set)  # DIDs that let us write to them
    convos: dict[str, str] = field(default_factory=dict)  # member DID -> convo id
    sent: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    refuse_next: int = 0  # answer this many requests with 429
    chat_scope_refused: bool = False  # an app password without direct messages


class Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        return

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        self._answer(parts.path.removeprefix("/xrpc/"), {k: v if len(v) > 1 else v[0]
                                                       for k, v in parse_qs(parts.query).items()})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self._answer(urlsplit(self.path).path.removeprefix("/xrpc/"), body)

    def _answer(self, nsid: str, args: dict[str, Any]) -> None:
        state = self.state
        state.requests.append((nsid, args, {k.lower(): v for k, v in self.headers.items()}))
        if state.refuse_next > 0:
            state.refuse_next -= 1
            self._send(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
                       {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": "4102444800",
                        "RateLimit-Policy": "3000;w=300"})
            return
        if nsid == "com.atproto.server.createSession":
            if args.get("identifier") != state.handle or args.get("password") != state.password:
                self._send(401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"})
                return
            self._send(200, {"did": state.did, "handle": state.handle, "accessJwt": jwt(state.did),
                             "refreshJwt": jwt(state.did, "com.atproto.refresh"), "active": True})
            return
        if not str(self.headers.get("Authorization", "")).startswith("Bearer "):
            self._send(401, {"error": "AuthMissing", "message": "Authentication Required"})
            return
        if nsid.startswith("chat.bsky."):
            self._chat(nsid, args)
            return
        handler = getattr(self, "_" + nsid.replace(".", "_"), None)
        if handler is None:
            self._send(501, {"error": "MethodNotImplemented", "message": f"{nsid} is not served here"})
            return
        handler(args)

    def _app_bsky_notification_listNotifications(self, args: dict[str, Any]) -> None:  # noqa: N802
        limit, start = int(args.get("limit", 50)), int(args.get("cursor") or 0)
        page = self.state.notifications[start:start + limit]
        more = start + limit < len(self.state.notifications)
        self._send(200, {"notifications": page, **({"cursor": str(start + limit)} if more else {}),
                         "seenAt": "2026-12-06T00:00:00.000Z"},
                   {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2990", "RateLimit-Reset": "4102444800",
                    "RateLimit-Policy": "3000;w=300"})

    def _app_bsky_notification_updateSeen(self, args: dict[str, Any]) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _app_bsky_feed_getPosts(self, args: dict[str, Any]) -> None:  # noqa: N802
        uris = args.get("uris") or []
        uris = [uris] if isinstance(uris, str) else uris
        self._send(200, {"posts": [self.state.posts[u] for u in uris if u in self.state.posts]})

    def _com_atproto_repo_listRecords(self, args: dict[str, Any]) -> None:  # noqa: N802
        self._send(200, {"records": list(reversed(self.state.records))[:int(args.get("limit", 50))]})

    def _com_atproto_repo_createRecord(self, args: dict[str, Any]) -> None:  # noqa: N802
        uri = f"at://{self.state.did}/app.bsky.feed.post/3mfz{len(self.state.records):09d}".replace("0", "a")
        self.state.records.append({"uri": uri, "cid": "bafyreiaaaa", "value": args.get("record")})
        self._send(200, {"uri": uri, "cid": "bafyreiaaaa"})

    def _chat(self, nsid: str, args: dict[str, Any]) -> None:
        state = self.state
        if self.headers.get("atproto-proxy") != CHAT_PROXY:
            self._send(400, {"error": "InvalidRequest", "message": "No service configured for chat.bsky"})
            return
        if state.chat_scope_refused:
            self._send(400, {"error": "InvalidToken", "message": "Bad token scope"})
            return
        if nsid == "chat.bsky.convo.getLog":
            start = int(args.get("cursor") or 0)
            logs = state.logs[start:]
            self._send(200, {"logs": logs, "cursor": str(len(state.logs))})
        elif nsid == "chat.bsky.convo.getConvoAvailability":
            member = args.get("members")
            member = member if isinstance(member, str) else member[0]
            convo = state.convos.get(member)
            view = {"id": convo, "rev": "1", "members": [], "muted": False, "unreadCount": 0} if convo else None
            self._send(200, {"canChat": member in state.accepts_chat, **({"convo": view} if view else {})})
        elif nsid == "chat.bsky.convo.getConvoForMembers":
            member = args.get("members")
            member = member if isinstance(member, str) else member[0]
            convo = state.convos.setdefault(member, f"convo{len(state.convos) + 1}")
            self._send(200, {"convo": {"id": convo, "rev": "1", "members": [], "muted": False, "unreadCount": 0}})
        elif nsid == "chat.bsky.convo.sendMessage":
            message = {"id": f"msg{len(state.sent) + 1}", "rev": f"r{len(state.sent) + 1}",
                       "text": args["message"]["text"], "sender": {"did": state.did},
                       "sentAt": "2026-12-06T20:00:00.000Z"}
            state.sent.append({"convoId": args["convoId"], **message})
            self._send(200, message)
        else:
            self._send(501, {"error": "MethodNotImplemented", "message": nsid})


@contextmanager
def running_xrpc(state: State) -> Iterator[str]:
    """The server on a free localhost port for the duration; its base URL."""
    handler = type("BoundHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
