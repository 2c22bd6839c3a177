"""A local X server for the tests: the documented endpoints the adapter and an operator use (POST /2/tweets with the
"summoned reply" rule, POST /2/dm_conversations/with/:participant_id/messages, /2/webhooks with its CRC check), rate
limits with x-rate-limit-* headers and 429s, and webhook deliveries signed as X signs them (Account Activity bodies,
one event or a batch). Requests go to it over real HTTP (the `xdk` SDK, pointed at base_url); its deliveries go out
through a transport: Django's test client in unit tests, real HTTP to the live server in the browser walk.

Deliveries run in the caller's thread (deliver(), flush()): the test's database transaction sees them. The server's
own thread only answers API calls; a webhook registration's CRC is the exception (use a committed database there)."""

import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode, urlsplit

from civicdesk.channels.providers.x import simulation
from civicdesk.channels.providers.x.signing import SIGNATURE_HEADER, crc_response, signature

Transport = Callable[[str, str, dict[str, str], bytes], tuple[int, bytes]]
WINDOW_SECONDS = 15 * 60
NOT_SUMMONED = ("Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged "
                "by the author of the post you are replying to.")


def django_transport() -> Transport:
    from django.test import Client

    client = Client()  # the path of the webhook URL, on the test host (X signs the body, not the URL)

    def send(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"}
        if method == "GET":
            response = client.get(path, **extra)
        else:
            response = client.generic(method, path, data=body, content_type="application/json", **extra)
        return response.status_code, response.content

    return send


def http_transport(method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body if method != "GET" else None, method=method,
                                     headers={**headers, "Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (a local test server)
            return response.status, response.read()
    except HTTPError as exc:
        return exc.code, exc.read()


@dataclass
class Limit:
    limit: int
    remaining: int
    reset: int = field(default_factory=lambda: int(time.time()) + WINDOW_SECONDS)


class XServer:
    def __init__(self, *, consumer_secret: str, transport: Transport = http_transport,
                 bearer_token: str = "test-app-bearer-token") -> None:
        self.consumer_secret, self.transport, self.bearer_token = consumer_secret, transport, bearer_token
        self.users: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, str] = {}  # user access token -> user id
        self.posts: dict[str, dict[str, Any]] = {}  # id -> v1.1 post
        self.dms: list[dict[str, Any]] = []
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.subscriptions: set[str] = set()  # user ids whose activity goes to the webhook
        self.limits: dict[str, Limit] = {"POST /2/tweets": Limit(100, 100), "POST /2/dm": Limit(1440, 1440)}
        self.outbox: list[dict[str, Any]] = []  # deliveries waiting for flush() (our own posts and DMs echoed)
        self.requests: list[tuple[str, str, dict[str, Any]]] = []  # (method, path, json) of every API call
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    # --- running -------------------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_user(self, user_id: str, handle: str, name: str, *, token: str = "") -> None:
        self.users[user_id] = {"id": user_id, "screen_name": handle, "name": name}
        if token:
            self.tokens[token] = user_id
            self.subscriptions.add(user_id)

    # --- what residents do (in the caller's thread) ----------------------------------------------------------------
    def mention(self, author_id: str, text: str, *, to: str, in_reply_to: str = "") -> dict[str, Any]:
        """A post by `author_id` mentioning user `to` (a reply to `in_reply_to` when given); returns it (v1.1)."""
        us = self.users[to]
        parent = self.posts.get(in_reply_to, {})
        post = simulation.mention(to, us["screen_name"], text, resident=self.users[author_id],
                                  in_reply_to=in_reply_to, in_reply_to_user=parent.get("user", {}).get("id_str", ""))
        self.posts[post["id_str"]] = post
        return post

    def direct_message(self, author_id: str, text: str, *, to: str) -> dict[str, Any]:
        return simulation.direct_message(to, self.users[to]["screen_name"], text, resident=self.users[author_id])

    def activity(self, for_user: str, posts: list[dict[str, Any]]) -> dict[str, Any]:
        """One Account Activity body carrying several posts (X batches them)."""
        return {"for_user_id": for_user, "tweet_create_events": posts}

    def deletion(self, for_user: str, post_id: str) -> dict[str, Any]:
        post = self.posts.pop(post_id)
        status = {"id": post_id, "user_id": post["user"]["id_str"]}
        return {"for_user_id": for_user,
                "tweet_delete_events": [{"status": status, "timestamp_ms": str(int(time.time() * 1000))}]}

    def deliver(self, body: dict[str, Any], *, url: str = "", secret: str = "") -> tuple[int, bytes]:
        """POST one body to the webhook, signed with the consumer secret (another `secret`: a forgery)."""
        raw = json.dumps(body, separators=(",", ":")).encode()
        target = url or next(iter(self.webhooks.values()))["url"]
        headers = {SIGNATURE_HEADER: signature(secret or self.consumer_secret, raw)}
        return self.transport("POST", target, headers, raw)

    def flush(self, url: str = "") -> list[int]:
        """Deliver what the server queued (our own posts and DMs, which X echoes to the webhook)."""
        with self.lock:
            waiting, self.outbox = self.outbox, []
        return [self.deliver(body, url=url)[0] for body in waiting]

    def crc(self, url: str) -> bool:
        """X's CRC: GET url?crc_token=...; the answer must be the token's HMAC under the consumer secret."""
        token = secrets.token_urlsafe(24)
        status, body = self.transport("GET", f"{url}?{urlencode({'crc_token': token})}", {}, b"")
        try:
            answer = json.loads(body)
        except ValueError:
            return False
        return status == 200 and answer == json.loads(crc_response(self.consumer_secret, token))

    # --- the API (in the server's thread) --------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _reply(self, status: int, body: dict[str, Any], limit: Limit | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                if limit is not None:
                    self.send_header("x-rate-limit-limit", str(limit.limit))
                    self.send_header("x-rate-limit-remaining", str(max(0, limit.remaining)))
                    self.send_header("x-rate-limit-reset", str(limit.reset))
                self.end_headers()
                self.wfile.write(raw)

            def _body(self) -> dict[str, Any]:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    found = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    found = None
                return found if isinstance(found, dict) else {}

            def _user(self) -> str:
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                return server.tokens.get(token, "")

            def _app(self) -> bool:
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
                return token == server.bearer_token

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                if path == "/2/webhooks" and self._app():
                    data = [dict(w) for w in server.webhooks.values()]
                    return self._reply(200, {"data": data, "meta": {"result_count": len(data)}})
                return self._reply(404, {"title": "Not Found Error", "status": 404})

            def do_PUT(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                hook = server.webhooks.get(path.removeprefix("/2/webhooks/"))
                if not self._app() or hook is None:
                    return self._reply(400, {"errors": [{"message": "WebhookIdInvalid"}]})
                hook["valid"] = server.crc(hook["url"])
                return self._reply(200, {"data": {"valid": hook["valid"]}})

            def do_POST(self) -> None:  # noqa: N802
                path, body = urlsplit(self.path).path, self._body()
                server.requests.append(("POST", self.path, body))
                if path == "/2/webhooks":
                    return self._create_webhook(body)
                user = self._user()
                if not user:
                    return self._reply(401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
                if path == "/2/tweets":
                    return self._post(user, body)
                if path.startswith("/2/dm_conversations/with/") and path.endswith("/messages"):
                    return self._dm(user, path.split("/")[4], body)
                return self._reply(404, {"title": "Not Found Error", "status": 404})

            def _create_webhook(self, body: dict[str, Any]) -> None:
                if not self._app():
                    return self._reply(401, {"title": "Unauthorized", "status": 401})
                url = str(body.get("url") or "")
                parts = urlsplit(url)
                if parts.scheme not in ("https", "http") or not parts.netloc:
                    return self._reply(400, {"errors": [{"message": "UrlValidationFailed"}]})
                if not server.crc(url):
                    return self._reply(400, {"errors": [{"message": "CrcValidationFailed"}]})
                hook = {"id": simulation.new_id(), "url": url, "valid": True,
                        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())}
                server.webhooks[hook["id"]] = hook
                return self._reply(200, {"data": hook})

            def _spend(self, key: str) -> Limit | None:
                limit = server.limits[key]
                if limit.remaining <= 0:
                    self._reply(429, {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
                                limit)
                    return None
                limit.remaining -= 1
                return limit

            def _post(self, user: str, body: dict[str, Any]) -> None:
                limit = self._spend("POST /2/tweets")
                if limit is None:
                    return
                text = str(body.get("text") or "")
                parent_id = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
                parent = server.posts.get(parent_id)
                if parent_id and parent is None:
                    return self._reply(400, {"title": "Invalid Request", "status": 400,
                                             "detail": "The post you are replying to does not exist."}, limit)
                if parent is not None and not _summons(parent, user):
                    return self._reply(403, {"title": "Forbidden", "status": 403, "detail": NOT_SUMMONED}, limit)
                if not text or len(text) > 280:
                    return self._reply(400, {"title": "Invalid Request", "status": 400,
                                             "detail": "The text is empty or longer than 280 characters."}, limit)
                us = server.users[user]
                to = parent["user"]["id_str"] if parent else ""
                post = simulation.mention(to, server.users.get(to, {}).get("screen_name", ""), text, resident=us,
                                          in_reply_to=parent_id, in_reply_to_user=to) if to else {
                    "id_str": simulation.new_id(), "text": text, "user": simulation.user_v1(us)}
                post["text"] = text  # our own words, no added @name
                server.posts[post["id_str"]] = post
                if user in server.subscriptions:
                    server.outbox.append({"for_user_id": user, "tweet_create_events": [post]})
                return self._reply(201, {"data": {"id": post["id_str"], "text": text,
                                                  "edit_history_tweet_ids": [post["id_str"]]}}, limit)

            def _dm(self, user: str, participant: str, body: dict[str, Any]) -> None:
                limit = self._spend("POST /2/dm")
                if limit is None:
                    return
                text = str(body.get("text") or "")
                if not text or not participant.isdigit():
                    return self._reply(400, {"title": "Invalid Request", "status": 400,
                                             "detail": "A message needs text and a participant id."}, limit)
                event_id = simulation.new_id()
                server.dms.append({"id": event_id, "sender_id": user, "recipient_id": participant, "text": text})
                echo = simulation.direct_message(user, server.users[user]["screen_name"], text,
                                                 resident=server.users[user], event_id=event_id)
                echo["direct_message_events"][0]["message_create"]["target"]["recipient_id"] = participant
                server.outbox.append(echo)
                return self._reply(201, {"data": {"dm_conversation_id": f"{participant}-{user}",
                                                  "dm_event_id": event_id}}, limit)

        return Handler


def _summons(parent: dict[str, Any], user: str) -> bool:
    """X's rule since February 2026: a program may reply only when the post's author mentioned or quoted it."""
    mentioned = {m.get("id_str") for m in parent.get("entities", {}).get("user_mentions", [])}
    quoted = parent.get("quoted_status", {}).get("user", {}).get("id_str")
    return user in mentioned or quoted == user or parent.get("user", {}).get("id_str") == user


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)
