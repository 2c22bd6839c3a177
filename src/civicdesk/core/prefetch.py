"""Answers looked up in bulk ahead of a group of writes, each used at most once (the inbound batch worker's).

A caller about to apply many inbound messages in one transaction reads, in one query per kind, what each message's
own lookups would read one by one (the sender's identity, its conversation, whether it was already applied) and
holds them with `ahead(...)`. A lookup asks `take(kind, key)` first: a hit is the answer as it stood when the group
began, given once; the next lookup of the same key (a second text from the same number in the group, after the
first may have written what it reads) misses and queries as usual. Outside `ahead` everything misses.

`kept(kind, key, load)` is for settings no write of the group changes (an agency's SLA policies, whether a team
assigns automatically): inside `ahead` it loads each key once and keeps it for the group; outside it just loads.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

MISS = object()
_known: ContextVar[dict[str, dict[Any, Any]] | None] = ContextVar("prefetched", default=None)
_whole: ContextVar[bool] = ContextVar("whole_or_nothing", default=False)
_kept: ContextVar[dict[tuple[str, Any], Any] | None] = ContextVar("kept_for_the_group", default=None)
T = TypeVar("T")


@contextmanager
def ahead(answers: dict[str, dict[Any, Any]]) -> Iterator[None]:
    """Hold `answers` ({kind: {key: value}}, every key looked up with its answer, None for "not there")."""
    token = _known.set({kind: dict(values) for kind, values in answers.items()})
    kept_token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(kept_token)
        _known.reset(token)


def take(kind: str, key: Any) -> Any:
    """The prefetched answer for `key`, once; MISS when there is none (or it was taken already)."""
    known = _known.get()
    if known is None or kind not in known:
        return MISS
    return known[kind].pop(key, MISS)


def hold(kind: str, key: Any, value: Any) -> None:
    """Add an answer to those held (a write of the group made it: rows added for the group's new senders)."""
    known = _known.get()
    if known is not None:
        known.setdefault(kind, {})[key] = value


def kept(kind: str, key: Any, load: Callable[[], T]) -> T:
    """load(), read once per group inside `ahead` (see the module's docstring), or every time outside it."""
    memo = _kept.get()
    if memo is None:
        return load()
    if (kind, key) not in memo:
        memo[kind, key] = load()
    value: T = memo[kind, key]
    return value


def forget(kind: str, key: Any) -> None:
    """Drop what kept() holds for `key`: this process just changed it."""
    memo = _kept.get()
    if memo is not None:
        memo.pop((kind, key), None)


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
