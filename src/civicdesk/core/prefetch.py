"""Answers looked up in bulk ahead of a group of writes, each used at most once (the inbound batch worker's).

A caller about to apply many inbound messages in one transaction reads, in one query per kind, what each message's
own lookups would read one by one (the sender's identity, its conversation, whether it was already applied) and
holds them with `ahead(...)`. A lookup asks `take(kind, key)` first: a hit is the answer as it stood when the group
began, given once; the next lookup of the same key (a second text from the same number in the group, after the
first may have written what it reads) misses and queries as usual. Outside `ahead` everything misses.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

MISS = object()
_known: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar("prefetched", default=None)
_whole: ContextVar[bool] = ContextVar("whole_or_nothing", default=False)


@contextmanager
def ahead(answers: dict[str, dict[Any, Any]]) -> Iterator[None]:
    """Hold `answers` ({kind: {key: value}}, every key looked up with its answer, None for "not there")."""
    token = _known.set({kind: dict(values) for kind, values in answers.items()})
    try:
        yield
    finally:
        _known.reset(token)


def take(kind: str, key: Any) -> Any:
    """The prefetched answer for `key`, once; MISS when there is none (or it was taken already)."""
    known = _known.get()
    if known is None or kind not in known:
        return MISS
    return known[kind].pop(key, MISS)


@contextmanager
def whole_or_nothing() -> Iterator[None]:
    """Inside, the caller rolls its whole transaction back on any error and applies again with a savepoint per item
    (the batch worker's group): a write that can only fail through a race (a unique row another process added a
    moment ago) needs no savepoint of its own, since the error undoes the group anyway."""
    token = _whole.set(True)
    try:
        yield
    finally:
        _whole.reset(token)


def rolled_back_whole() -> bool:
    """Whether an error here rolls back the caller's whole transaction (see whole_or_nothing)."""
    return _whole.get()
