"""A GeoReport v2 client that reads real servers' output, quirks included (namespaces, single items, bare errors)."""

import io
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from django.conf import settings

from civicdesk.web import safejson

# Wrapper elements whose children are list items, and the item names that always form a list.
LIST_WRAPPERS = {"services", "service_requests", "attributes", "values", "errors", "service_request_updates",
                 "service_requests_updates", "endpoints", "formats", "notes", "groups", "media_urls"}
ITEM_TAGS = {"service", "request", "error", "request_update", "attribute", "value", "endpoint", "format", "note"}
BOOLEAN_FIELDS = {"metadata", "variable", "required"}
STRING_FIELDS = {"service_request_id", "service_code", "token", "address_id", "zipcode", "key", "update_id",
                 "account_id"}
USER_AGENT = "CivicDesk-Open311-client/1"
MAX_DEPTH = 32  # real GeoReport documents nest 5 or 6 levels; deeper is refused before it is walked
DEFAULT_MAX_RESPONSE_BYTES = 5_000_000
CHUNK_BYTES = 64 * 1024


class Open311ClientError(Exception):
    """A call that failed; `transient` says whether trying again later may succeed."""

    def __init__(self, message: str, *, status: int = 0, errors: list[dict[str, Any]] | None = None,
                 transient: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or []
        self.transient = transient


@dataclass
class RawResponse:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def element_data(element: Element) -> Any:
    """XML::Simple-like: text for leaves (None when empty), lists for wrappers and item runs, else a dict."""
    children = list(element)
    tag = _local(element.tag)
    if not children:
        text = (element.text or "").strip()
        return [] if tag in LIST_WRAPPERS else (text or None)
    names = [_local(c.tag) for c in children]
    if tag in LIST_WRAPPERS or (len(set(names)) == 1 and names[0] in ITEM_TAGS):
        return [element_data(c) for c in children]
    data: dict[str, Any] = {}
    repeated: set[str] = set()
    for child, name in zip(children, names, strict=True):
        value = element_data(child)
        if name == "attribute" and tag == "service_definition":  # old definitions omit <attributes>
            data.setdefault("attributes", []).append(value)
        elif name in data:
            if name not in repeated:
                data[name] = [data[name]]
                repeated.add(name)
            data[name].append(value)
        else:
            data[name] = value
    return data


class TooComplex(ValueError):
    """A document nested deeper than MAX_DEPTH."""


def check_xml_depth(body: bytes) -> None:
    """TooComplex as soon as the parse goes deeper than MAX_DEPTH, before a deep tree is built or walked."""
    depth = 0
    for event, _element in ElementTree.iterparse(io.BytesIO(body), events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise TooComplex(f"The XML answer is nested deeper than {MAX_DEPTH} levels.")


def parse_xml(body: bytes) -> tuple[str, Any]:
    """Root element name and its data; <error>text</error> (seen in the wild) becomes a one-item error list."""
    check_xml_depth(body)
    root = ElementTree.fromstring(body)
    name = _local(root.tag)
    if name == "error" and not list(root):
        return "errors", [{"code": None, "description": (root.text or "").strip()}]
    return name, element_data(root)


def normalize(value: Any) -> Any:
    """Ids as strings, booleans from 'true'/'false', recursively; JSON numbers for ids become strings."""
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in BOOLEAN_FIELDS and isinstance(item, str):
            item = item.strip().lower() == "true"
        elif key in STRING_FIELDS and isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)
        elif key in ("lat", "long") and isinstance(item, str):
            try:
                item = float(item)
            except ValueError:
                item = None
        elif key == "status" and isinstance(item, str):
            item = item.strip().lower()
        out[key] = normalize(item)
    return out


def as_list(data: Any) -> list[Any]:
    """A single object where a list was due (JSON servers do this too) becomes a one-item list."""
    if data is None:
        return []
    return data if isinstance(data, list) else [data]


class GeoReportClient:
    def __init__(self, base_url: str, *, api_key: str = "", jurisdiction_id: str = "", fmt: str = "xml",
                 timeout: float = 20, max_response_bytes: int | None = None) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        configured: int = getattr(settings, "OPEN311_MAX_RESPONSE_BYTES", DEFAULT_MAX_RESPONSE_BYTES)
        self.max_response_bytes = max_response_bytes if max_response_bytes is not None else configured
        self.api_key = api_key
        self.jurisdiction_id = jurisdiction_id
        self.fmt = fmt
        self.timeout = timeout

    # --- transport -------------------------------------------------------------------------------------------------
    def url(self, resource: str, params: dict[str, Any] | None = None, fmt: str | None = None) -> str:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if self.jurisdiction_id and "jurisdiction_id" not in query:
            query["jurisdiction_id"] = self.jurisdiction_id
        suffix = f"?{urllib.parse.urlencode(query, doseq=True)}" if query else ""
        return f"{self.base_url}{resource}.{fmt or self.fmt}{suffix}"

    def raw(self, method: str, url: str, form: list[tuple[str, str]] | None = None,
            body: bytes | None = None, content_type: str = "") -> RawResponse:
        data = body if body is not None else (urllib.parse.urlencode(form).encode() if form is not None else None)
        request = urllib.request.Request(url, data=data, method=method, headers={"User-Agent": USER_AGENT})
        if data is not None:
            request.add_header("Content-Type", content_type or "application/x-www-form-urlencoded; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (admin-set URL)
                return RawResponse(response.status, response.headers.get("Content-Type", ""),
                                   self.read_capped(response, url), dict(response.headers.items()))
        except urllib.error.HTTPError as exc:
            body = self.read_capped(exc, url, truncate=True)
            return RawResponse(exc.code, exc.headers.get("Content-Type", ""), body, dict(exc.headers.items()))
        except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
            raise Open311ClientError(f"Cannot reach {url.split('?')[0]}: {exc}", transient=True) from exc

    def read_capped(self, response: Any, url: str, *, truncate: bool = False) -> bytes:
        """The body in chunks, stopping past max_response_bytes: a refusal, or for error bodies the first part."""
        limit = self.max_response_bytes
        declared = str(response.headers.get("Content-Length") or "")
        if declared.isdigit() and int(declared) > limit and not truncate:
            raise Open311ClientError(f"The answer of {url.split('?')[0]} is {declared} bytes, more than the "
                                     f"{limit} accepted (OPEN311_MAX_RESPONSE_BYTES).")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = response.read(min(CHUNK_BYTES, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
        if truncate:
            return b"".join(chunks)[:limit]
        raise Open311ClientError(f"The answer of {url.split('?')[0]} is more than the {limit} bytes accepted "
                                 "(OPEN311_MAX_RESPONSE_BYTES); stopped reading.")

    def decode(self, response: RawResponse, fmt: str | None = None) -> Any:
        fmt = fmt or self.fmt
        try:
            if fmt == "json":
                data: Any = safejson.loads(response.body.decode("utf-8-sig"), max_depth=MAX_DEPTH)
            else:
                _root, data = parse_xml(response.body)
        except (safejson.JsonTooComplex, TooComplex) as exc:
            raise Open311ClientError(f"Refused {fmt.upper()} answer: {exc}", status=response.status) from exc
        except (ValueError, ElementTree.ParseError) as exc:
            if response.status >= 400:
                data = None
            else:
                raise Open311ClientError(f"Unreadable {fmt.upper()} answer: {exc}", status=response.status,
                                         transient=response.status >= 500) from exc
        if response.status >= 400:
            errors = [e for e in as_list(normalize(data)) if isinstance(e, dict)]
            text = "; ".join(str(e.get("description") or "") for e in errors) or f"HTTP {response.status}"
            raise Open311ClientError(text, status=response.status, errors=errors,
                                     transient=response.status >= 500 or response.status == 429)
        return normalize(data)

    def get(self, resource: str, params: dict[str, Any] | None = None) -> Any:
        return self.decode(self.raw("GET", self.url(resource, params)))

    def post(self, resource: str, fields: list[tuple[str, str]]) -> Any:
        form = list(fields) + [("api_key", self.api_key)]
        if self.jurisdiction_id:
            form.append(("jurisdiction_id", self.jurisdiction_id))
        return self.decode(self.raw("POST", self.url(resource, {"jurisdiction_id": None}), form=form))

    # --- the six methods and FixMyStreet's updates ------------------------------------------------------------------
    def services(self) -> list[dict[str, Any]]:
        return as_list(self.get("services"))

    def service_definition(self, code: str) -> dict[str, Any]:
        data = self.get(f"services/{urllib.parse.quote(code, safe='')}")
        data = data[0] if isinstance(data, list) and data else data
        if not isinstance(data, dict):
            return {"service_code": code, "attributes": []}
        data["attributes"] = [a for a in as_list(data.get("attributes")) if isinstance(a, dict)]
        return data

    def post_request(self, fields: list[tuple[str, str]]) -> dict[str, Any]:
        items = as_list(self.post("requests", fields))
        if not items or not isinstance(items[0], dict):
            raise Open311ClientError("The POST answer has no request in it.", transient=False)
        return items[0]

    def token(self, token: str) -> str | None:
        """The service_request_id for a batch token, or None while the server has not assigned one yet."""
        for item in as_list(self.get(f"tokens/{urllib.parse.quote(token, safe='')}")):
            if isinstance(item, dict) and item.get("service_request_id"):
                return str(item["service_request_id"])
        return None

    def requests(self, ids: list[str] | None = None, **params: Any) -> list[dict[str, Any]]:
        if ids:
            params["service_request_id"] = ",".join(ids)
        items = as_list(self.get("requests", params))
        return [i for i in items if isinstance(i, dict) and i.get("service_request_id")]  # skip id-less (batch lag)

    def request(self, request_id: str) -> dict[str, Any] | None:
        items = as_list(self.get(f"requests/{urllib.parse.quote(request_id, safe='')}"))
        return items[0] if items and isinstance(items[0], dict) else None

    def updates(self, start: str, end: str) -> list[dict[str, Any]]:
        """servicerequestupdates is XML-only in FixMyStreet's dialect; items without update_id are skipped."""
        response = self.raw("GET", self.url("servicerequestupdates", {"start_date": start, "end_date": end,
                                                                       "api_key": self.api_key}, fmt="xml"))
        return [u for u in as_list(self.decode(response, "xml")) if isinstance(u, dict) and u.get("update_id")]
