"""JSON parsing with caps on size and nesting depth, so hostile input is a clear error and never a RecursionError."""

import json
import re
from itertools import accumulate
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 64
_STRING_LITERAL = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DELTA = [0] * 256
_DELTA[ord("[")] = _DELTA[ord("{")] = 1
_DELTA[ord("]")] = _DELTA[ord("}")] = -1


class JsonTooComplex(ValueError):
    """The document is nested deeper, or is larger, than we accept."""


def nesting_depth(text: bytes) -> int:
    """The deepest nesting of [ and { in a JSON document, brackets inside strings not counted (all in C loops)."""
    outside = _STRING_LITERAL.sub(b"", text).translate(None, delete=_NOT_BRACKETS)
    return max(accumulate(map(_DELTA.__getitem__, outside)), default=0)


def loads(data: bytes | str, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None) -> Any:
    """json.loads, refusing documents over max_bytes or nested deeper than max_depth with JsonTooComplex."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if max_bytes is not None and len(raw) > max_bytes:
        raise JsonTooComplex(_("The JSON document is larger than %(limit)d bytes.") % {"limit": max_bytes})
    if nesting_depth(raw) > max_depth:
        raise JsonTooComplex(_("The JSON document is nested deeper than %(limit)d levels.") % {"limit": max_depth})
    try:
        return json.loads(data)
    except RecursionError as exc:  # a last line of defence; the depth check above should make this unreachable
        raise JsonTooComplex(_("The JSON document is nested too deeply.")) from exc
