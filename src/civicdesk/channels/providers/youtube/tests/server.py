"""A local YouTube Data API v3 server for the tests, speaking the documented protocol (a threaded HTTP server).

It serves what CivicDesk uses, as Google documents it (developers.google.com/youtube/v3/docs):
- GET  /discovery/v1/apis/youtube/v3/rest: the discovery document bundled with google-api-python-client, its rootUrl
  pointing here (so `build(..., discoveryServiceUrl=...)` works as well as the bundled copy with api_endpoint);
- POST /token: Google's OAuth token endpoint for the refresh_token grant (an unknown token: 400 invalid_grant);
- GET  /youtube/v3/commentThreads: allThreadsRelatedToChannelId | videoId | id, order=time (newest first),
  maxResults (1-100, default 20), pageToken paging, part=snippet[,replies] (up to 5 replies listed per thread,
  totalReplyCount counts all), textFormat=html|plainText;
- GET  /youtube/v3/comments: by id (comma-separated, up to 50) or by parentId (the replies of a thread);
- POST /youtube/v3/comments (comments.insert, OAuth only): a reply, snippet.parentId naming a top-level comment.

Every call needs the API key (`key=`) or a bearer token this server issued. Quota is counted like Google: the method's
units (list 1, insert 50) per call, at least 1 for a refused request, per day in Pacific Time; a call the day's
budget cannot pay is refused with 403 quotaExceeded. Errors have Google's JSON shape
({"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}).
"""

import base64
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from googleapiclient.discovery_cache import get_static_doc

from civicdesk.channels.providers.youtube.quota import COSTS, INVALID_REQUEST_COST, quota_day

OUR_CHANNEL = "UCriverbendCityHall00001"  # 24 characters like every channel id
API_KEY = "AIzaSy-local-test-key-0000000000000000"
CLIENT_ID = "1234567890-local.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-local-test-secret"
REFRESH_TOKEN = "1//local-test-refresh-token"
MAX_LISTED_REPLIES = 5
MAX_TEXT = 10000


class ApiError(Exception):
    def __init__(self, status: int, reason: str, message: str, domain: str = "youtube.commentThread") -> None:
        super().__init__(message)
        self.status, self.reason, self.message, self.domain = status, reason, message, domain

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.status, "message": self.message,
                          "errors": [{"message": self.message, "domain": self.domain, "reason": self.reason}]}}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return "Ug" + secrets.token_urlsafe(17)[:22] + "4AaABAg"


@dataclass
class State:
    """The server's world: our channel's videos' comments, issued tokens and the day's quota."""

    channel_id: str = OUR_CHANNEL
    channel_name: str = "City of Riverbend"
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> comment resource
    thread_order: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> its project (OAuth client id)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)  # client id -> secret, refresh token, key, quota
    used: dict[str, int] = field(default_factory=dict)  # project -> units spent today
    day: str = ""
    calls: list[tuple[str, dict[str, list[str]], Any]] = field(default_factory=list)


class YouTubeServer:
    """Start it, add comments as residents would, then drive it with google-api-python-client."""

    def __init__(self, *, daily_quota: int = 10000, channel_id: str = OUR_CHANNEL) -> None:
        self.state = State(channel_id=channel_id)
        self.lock = threading.RLock()
        self.add_project(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, API_KEY, daily_quota)
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------------------------------
    def start(self, port: int = 0) -> str:
        server = self

        class Handler(_Handler):
            api = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="youtube-server", daemon=True)
        self.thread.start()
        return self.url

    @property
    def url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()

    def add_project(self, client_id: str, client_secret: str, refresh_token: str, api_key: str,
                    daily_quota: int = 10000) -> None:
        """A Google Cloud project: its OAuth client (with one granted refresh token), its API key, its own quota."""
        with self.lock:
            self.state.projects[client_id] = {"secret": client_secret, "refresh_token": refresh_token,
                                              "api_key": api_key, "quota": daily_quota}

    # --- the world, as residents change it ----------------------------------------------------------------------
    def _comment(self, cid: str, text: str, author: str, name: str, video_id: str, at: str,
                 parent: str = "", channel_id: str = "") -> dict[str, Any]:
        snippet: dict[str, Any] = {
            "channelId": channel_id or self.state.channel_id, "videoId": video_id, "textDisplay": text,
            "textOriginal": text,
            "authorDisplayName": name, "authorProfileImageUrl": "https://yt3.ggpht.com/local-avatar",
            "authorChannelUrl": f"http://www.youtube.com/channel/{author}", "authorChannelId": {"value": author},
            "canRate": True, "viewerRating": "none", "likeCount": 0, "publishedAt": at, "updatedAt": at,
        }
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": secrets.token_urlsafe(20), "id": cid, "snippet": snippet}

    def add_comment(self, text: str, *, author: str = "UCresidentMaria000000001", name: str = "Maria Lopez",
                    video_id: str = "rvbdVideo01", at: str = "", channel_id: str = "") -> str:
        """A resident's top-level comment on a video of ours (or of `channel_id`); returns the thread id (which is
        the comment's id)."""
        with self.lock:
            cid = new_id()
            self.state.comments[cid] = self._comment(cid, text, author, name, video_id, at or now_iso(),
                                                     channel_id=channel_id)
            self.state.thread_order.append(cid)
            return cid

    def add_reply(self, thread_id: str, text: str, *, author: str = "UCresidentMaria000000001",
                  name: str = "Maria Lopez", at: str = "") -> str:
        with self.lock:
            parent = self.state.comments[thread_id]
            cid = f"{thread_id}.{secrets.token_urlsafe(16)[:22]}"
            self.state.comments[cid] = self._comment(cid, text, author, name, parent["snippet"]["videoId"],
                                                     at or now_iso(), parent=thread_id,
                                                     channel_id=parent["snippet"]["channelId"])
            return cid

    def edit(self, cid: str, text: str, at: str = "") -> None:
        with self.lock:
            snippet = self.state.comments[cid]["snippet"]
            snippet.update(textDisplay=text, textOriginal=text, updatedAt=at or now_iso())

    def delete(self, cid: str) -> None:
        with self.lock:
            self.state.comments.pop(cid, None)
            for reply in [c for c, item in self.state.comments.items() if item["snippet"].get("parentId") == cid]:
                self.state.comments.pop(reply)
            if cid in self.state.thread_order:
                self.state.thread_order.remove(cid)

    def replies_of(self, thread_id: str) -> list[dict[str, Any]]:
        with self.lock:
            found = [c for c in self.state.comments.values() if c["snippet"].get("parentId") == thread_id]
            return sorted(found, key=lambda c: c["snippet"]["publishedAt"])

    def quota_used(self, project: str = CLIENT_ID) -> int:
        """Units the project spent today (Pacific)."""
        with self.lock:
            return self.state.used.get(project, 0) if self.state.day == quota_day().isoformat() else 0

    def calls_to(self, path: str) -> list[tuple[str, dict[str, list[str]], Any]]:
        with self.lock:
            return [call for call in self.state.calls if call[0].endswith(path)]

    # --- the API ---------------------------------------------------------------------------------------------
    def charge(self, project: str, units: int) -> None:
        """Count the project's units for today (Pacific), refusing the call its budget cannot pay."""
        today = quota_day().isoformat()
        if self.state.day != today:
            self.state.day, self.state.used = today, {}
        used = self.state.used.get(project, 0)
        if used + units > int(self.state.projects[project]["quota"]):
            raise ApiError(403, "quotaExceeded", "The request cannot be completed because you have exceeded your "
                           '<a href="/youtube/v3/getting-started#quota">quota</a>.', "youtube.quota")
        self.state.used[project] = used + units

    def refund(self, project: str, units: int) -> None:
        self.state.used[project] = self.state.used.get(project, 0) - units

    def threads(self, params: dict[str, str]) -> dict[str, Any]:
        if "snippet" not in params.get("part", ""):
            raise ApiError(400, "missingRequiredParameter", "No filter selected. Expected one of: part", "global")
        filters = [name for name in ("allThreadsRelatedToChannelId", "channelId", "videoId", "id") if params.get(name)]
        if len(filters) != 1:
            raise ApiError(400, "incompatibleParameters", "Exactly one filter is required.", "youtube.parameter")
        size = int(params.get("maxResults") or 20)
        if not 1 <= size <= 100:
            raise ApiError(400, "invalidParameter", "maxResults must be 1 to 100.", "youtube.parameter")
        threads = [self.state.comments[c] for c in self.state.thread_order if c in self.state.comments]
        if params.get("allThreadsRelatedToChannelId"):
            threads = [t for t in threads if t["snippet"]["channelId"] == params["allThreadsRelatedToChannelId"]]
        elif params.get("videoId"):
            threads = [t for t in threads if t["snippet"]["videoId"] == params["videoId"]]
        elif params.get("id"):
            wanted = set(params["id"].split(","))
            threads = [t for t in threads if t["id"] in wanted]
        threads.sort(key=lambda t: t["snippet"]["publishedAt"], reverse=True)  # order=time
        start = _offset(params.get("pageToken", ""))
        page = threads[start:start + size]
        plain = params.get("textFormat") == "plainText"
        items = [self._thread_item(t, "replies" in params.get("part", ""), plain) for t in page]
        body: dict[str, Any] = {"kind": "youtube#commentThreadListResponse", "etag": secrets.token_urlsafe(20),
                                "pageInfo": {"totalResults": len(threads), "resultsPerPage": size}, "items": items}
        if start + size < len(threads):
            body["nextPageToken"] = base64.urlsafe_b64encode(f"offset:{start + size}".encode()).decode()
        return body

    def _thread_item(self, top: dict[str, Any], with_replies: bool, plain: bool) -> dict[str, Any]:
        replies = self.replies_of(top["id"])
        item: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": secrets.token_urlsafe(20), "id": top["id"],
            "snippet": {"channelId": top["snippet"]["channelId"], "videoId": top["snippet"]["videoId"],
                        "topLevelComment": self._shown(top, plain), "canReply": True,
                        "totalReplyCount": len(replies), "isPublic": True},
        }
        if with_replies and replies:
            item["replies"] = {"comments": [self._shown(r, plain) for r in reversed(replies[-MAX_LISTED_REPLIES:])]}
        return item

    def _shown(self, comment: dict[str, Any], plain: bool) -> dict[str, Any]:
        shown = json.loads(json.dumps(comment))
        snippet = shown["snippet"]
        if not plain:
            snippet["textDisplay"] = html.escape(snippet["textOriginal"]).replace("\n", "<br>")
        if snippet["authorChannelId"]["value"] != snippet["channelId"]:
            snippet.pop("textOriginal", None)  # "only guaranteed if the viewer is the comment's author"
        return shown

    def comments_list(self, params: dict[str, str]) -> dict[str, Any]:
        plain = params.get("textFormat") == "plainText"
        if params.get("id"):
            ids = params["id"].split(",")
            if len(ids) > 50:
                raise ApiError(400, "invalidParameter", "At most 50 ids.", "youtube.parameter")
            found = [self.state.comments[c] for c in ids if c in self.state.comments]
        elif params.get("parentId"):
            found = self.replies_of(params["parentId"])
        else:
            raise ApiError(400, "missingRequiredParameter", "id or parentId is required.", "youtube.parameter")
        return {"kind": "youtube#commentListResponse", "etag": secrets.token_urlsafe(20),
                "pageInfo": {"totalResults": len(found), "resultsPerPage": len(found)},
                "items": [self._shown(c, plain) for c in found]}

    def insert(self, body: Any) -> dict[str, Any]:
        snippet = body.get("snippet") if isinstance(body, dict) else None
        if not isinstance(snippet, dict) or not snippet.get("parentId"):
            raise ApiError(400, "parentIdMissing", "No parent ID was specified.", "youtube.comment")
        parent = self.state.comments.get(str(snippet["parentId"]))
        if parent is None:
            raise ApiError(404, "commentNotFound", "The specified parent comment could not be found.",
                           "youtube.comment")
        if parent["snippet"].get("parentId"):
            raise ApiError(400, "operationNotSupported", "Replies can only be made to top-level comments.",
                           "youtube.comment")
        text = str(snippet.get("textOriginal") or "")
        if not text.strip():
            raise ApiError(400, "commentTextRequired", "The comment text is required.", "youtube.comment")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "commentTextTooLong", "The comment text is too long.", "youtube.comment")
        cid = f"{parent['id']}.{secrets.token_urlsafe(16)[:22]}"
        owner = parent["snippet"]["channelId"]  # the channel answering its own video's comment
        reply = self._comment(cid, text, owner, self.state.channel_name, parent["snippet"]["videoId"], now_iso(),
                              parent=parent["id"], channel_id=owner)
        self.state.comments[cid] = reply
        return reply

    def discovery(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(get_static_doc("youtube", "v3") or "{}")
        document["rootUrl"] = self.url + "/"
        document["baseUrl"] = self.url + "/"
        return document

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        project = self.state.projects.get(form.get("client_id", ""))
        if (form.get("grant_type") != "refresh_token" or project is None
                or form.get("refresh_token") != project["refresh_token"]
                or form.get("client_secret") != project["secret"]):
            return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
        token = "ya29.local-" + secrets.token_urlsafe(24)
        self.state.tokens[token] = form["client_id"]
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                     "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().removeprefix("offset:"))
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalidPageToken", "The request specifies an invalid page token.",
                       "youtube.parameter") from None


class _Handler(BaseHTTPRequestHandler):
    api: YouTubeServer
    METHODS = {("GET", "/youtube/v3/commentThreads"): "commentThreads.list",
               ("GET", "/youtube/v3/comments"): "comments.list",
               ("POST", "/youtube/v3/comments"): "comments.insert"}

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def _handle(self, verb: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        params = {name: values[-1] for name, values in query.items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        api = self.api
        if verb == "GET" and parts.path == "/discovery/v1/apis/youtube/v3/rest":
            return self._send(200, api.discovery())
        if verb == "POST" and parts.path == "/token":
            form = {name: values[-1] for name, values in parse_qs(raw.decode()).items()}
            status, answer = api.token(form)
            return self._send(status, answer)
        method = self.METHODS.get((verb, parts.path))
        if method is None:
            return self._send(404, ApiError(404, "notFound", "Not Found", "global").body())
        with api.lock:
            try:
                body = json.loads(raw) if raw else None
                api.state.calls.append((parts.path, query, body))
                project = self._authorise(params, write=verb == "POST")
                try:
                    api.charge(project, COSTS[method])
                    answer = {"commentThreads.list": lambda: api.threads(params),
                              "comments.list": lambda: api.comments_list(params),
                              "comments.insert": lambda: api.insert(body)}[method]()
                except ApiError as exc:
                    if exc.reason != "quotaExceeded":  # refused, yet a unit is spent (the full cost was charged)
                        api.refund(project, COSTS[method] - INVALID_REQUEST_COST)
                    raise
            except ApiError as exc:
                return self._send(exc.status, exc.body())
            except ValueError:
                return self._send(400, ApiError(400, "parseError", "Parse Error", "global").body())
        return self._send(200, answer)

    def _authorise(self, params: dict[str, str], *, write: bool) -> str:
        """The project the call is counted on: its bearer token's OAuth client, else its API key's project."""
        bearer = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if bearer:
            if bearer not in self.api.state.tokens:
                raise ApiError(401, "authError", "Invalid Credentials", "global")
            return self.api.state.tokens[bearer]
        if write:
            raise ApiError(401, "required", "Login Required.", "global")
        for client_id, project in self.api.state.projects.items():
            if params.get("key") and params.get("key") == project["api_key"]:
                return client_id
        raise ApiError(400, "keyInvalid", "API key not valid. Please pass a valid API key.", "global")
