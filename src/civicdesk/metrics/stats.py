"""Summaries of durations: count, mean, nearest-rank median and 90th percentile; and the packed form rollups keep.

Nearest rank: the p-th percentile of n values sorted ascending is the value at rank ceil(p/100 * n) (1-based), so it
is always one of the values (the median of an even count is the lower of the two middle values, not their average).
The mean is math.fsum(values) / n, exactly rounded whatever the order of the values, so every path (rollups or raw
events, SQLite or PostgreSQL) gives the same figure to the last bit.
"""

import math
import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Durations in seconds; mean, median and p90 are None when n is 0."""

    n: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


def nearest_rank(ordered: list[float], percent: float) -> float:
    """The value at rank ceil(percent/100 * n) of values already sorted ascending (n >= 1)."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(values: Iterable[float]) -> Summary:
    ordered = sorted(values)
    if not ordered:
        return Summary()
    return Summary(n=len(ordered), mean=math.fsum(ordered) / len(ordered), median=nearest_rank(ordered, 50),
                   p90=nearest_rank(ordered, 90))


def pack(values: Iterable[float]) -> bytes:
    """Sorted doubles, little-endian, for DailyRollup."""
    packed = array("d", sorted(values))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def unpack(data: bytes | memoryview | None) -> array:
    values = array("d")
    if data:
        values.frombytes(bytes(data))
        if sys.byteorder == "big":
            values.byteswap()
    return values
