"""Writes gathered over a block and made at its end in one statement (the inbound batch worker's group).

`gathering(var, pending, flush)` holds `pending` in the context variable `var` for the block; writers that find it
there add to it instead of writing. When the block ends without an error, `flush(pending)` writes it all (the
caller's transaction spans the block, so it commits, or rolls back, with what it describes); on an error nothing is
flushed.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def gathering(var: ContextVar[T | None], pending: T, flush: Callable[[T], object]) -> Iterator[None]:
    token = var.set(pending)
    try:
        yield
    finally:
        var.reset(token)
    if pending:
        flush(pending)
