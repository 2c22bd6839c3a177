"""Rendering Open311 responses as XML (required) and JSON, errors included, with the spec's exact types."""

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
# The element each list's items get in XML; JSON drops the wrapper and uses an array.
LIST_ITEMS = {
    "services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
    "errors": "error", "endpoints": "endpoint", "formats": "format", "notes": "note", "groups": "group",
    "service_request_updates": "request_update", "media_urls": "media_url",
}
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def w3c(value: datetime | None) -> str | None:
    """A W3C datetime in the jurisdiction's zone with whole seconds and an explicit offset."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value) or ""
    return _NOT_XML_CHARS.sub("", str(value)).translate(_ESCAPES)


def _xml(tag: str, value: Any, out: list[str]) -> None:
    if value is None or value == "":
        out.append(f"<{tag}/>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, child in value.items():
            _xml(key, child, out)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        item_tag = LIST_ITEMS.get(tag, "item")
        out.append(f"<{tag}>")
        for item in value:
            _xml(item_tag, item, out)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def to_xml(root: str, data: Any) -> str:
    out = [XML_DECLARATION]
    if isinstance(data, list | tuple) and not data:
        out.append(f"<{root}></{root}>")  # an empty list keeps its wrapper, never collapses to <root/>
    else:
        _xml(root, data, out)
    return "".join(out)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    raise TypeError(f"Cannot encode {type(value).__name__} as JSON")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def render(fmt: str, root: str, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """One resource in the format the URL's extension asked for."""
    if fmt == "json":
        response = HttpResponse(to_json(data), status=status, content_type=JSON_CONTENT_TYPE)
    else:
        response = HttpResponse(to_xml(root, data), status=status, content_type=XML_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(fmt: str, status: int, errors: Iterable[tuple[int, str]],
                   headers: dict[str, str] | None = None) -> HttpResponse:
    """The spec's <errors><error><code/><description/></error></errors>, or a JSON array of the same."""
    items = [{"code": code, "description": description} for code, description in errors]
    return render(fmt if fmt in FORMATS else "xml", "errors", items, status=status, headers=headers)
