"""The online burst detector: a Poisson tail test of the last minute's posts against a slow baseline.

Every count (the stream's relevant posts, each category, each tracked term, each area cell) keeps 10-second
buckets. The baseline is an exponentially weighted rate with a one-hour half-life, fed only by buckets that have
left the one-minute test window (a surge cannot raise its own baseline), never below a floor. A post arriving on a
count tests at once: with k weighted posts in the last 60 s and mu = baseline * 60 s expected, the count surges
when P(X >= k | Poisson(mu)) < ALPHA ** (1 / sensitivity), k >= MIN_POSTS and k >= RATIO * mu. The choice among this,
STA/LTA and a Kleinberg-style two-state model was made by measurement (bench/bench_listening_detection.py and
docs in bench/README.md): the tail test fires on the third post of a quiet stream's surge while a constant
false-alarm probability per test keeps a month of background quiet. A count stays quiet for COOLDOWN seconds after
it surges; a stream stays quiet for WARM_UP seconds after its first post (no baseline yet).
"""

import math
from dataclasses import dataclass, field

from scipy.special import pdtrc

BUCKET = 10
WINDOW = 6  # buckets: the last minute
HALF_LIFE = 3600.0
DECAY = 0.5 ** (BUCKET / HALF_LIFE)
ALPHA = 1e-7
MIN_POSTS = 3
RATIO = 3.0
COOLDOWN = 1800
WARM_UP = 3600
FLOOR_PER_MIN = {"stream": 0.05, "category": 0.02, "term": 0.02, "cell": 0.01}


@dataclass(slots=True)
class Count:
    floor: float  # posts per second
    rate: float  # baseline, posts per second
    bucket: int = -1  # index of the newest bucket
    recent: list[float] = field(default_factory=lambda: [0.0] * WINDOW)
    quiet_until: float = 0.0

    def advance(self, bucket: int) -> None:
        """Move the window to bucket; buckets leaving it feed the baseline, empty ones decay it."""
        if bucket <= self.bucket:
            return
        steps = bucket - self.bucket
        leaving = self.recent[:min(steps, WINDOW)]
        for value in leaving:
            self.rate = self.rate * DECAY + (1 - DECAY) * value / BUCKET
        if steps > WINDOW:
            self.rate *= DECAY ** (steps - WINDOW)
        self.recent = (self.recent + [0.0] * min(steps, WINDOW))[-WINDOW:]
        self.bucket = bucket

    def expected(self) -> float:
        return max(self.rate, self.floor) * BUCKET * WINDOW


@dataclass(frozen=True)
class Surge:
    kind: str
    key: str
    at: float  # seconds since the epoch, the posts' clock
    window_start: float
    posts: float
    baseline_per_min: float


@dataclass
class Detector:
    sensitivity: float = 1.0
    started: float | None = None
    counts: dict[tuple[str, str], Count] = field(default_factory=dict)

    def add(self, kind: str, key: str, at: float, weight: float) -> Surge | None:
        """Count a post (weight 1 for an original) at time `at`; a Surge when this post makes the count surge."""
        if self.started is None:
            self.started = at
        count = self.counts.get((kind, key))
        if count is None:
            floor = FLOOR_PER_MIN.get(kind, 0.02) / 60
            count = self.counts[(kind, key)] = Count(floor, floor)
        bucket = int(at // BUCKET)
        count.advance(bucket)
        count.recent[-1] += weight
        posts = sum(count.recent)
        if posts < MIN_POSTS or at < count.quiet_until or at - self.started < WARM_UP:
            return None
        mu = count.expected()
        if posts < RATIO * mu or pdtrc(math.floor(posts) - 1, mu) >= ALPHA ** (1 / max(self.sensitivity, 0.1)):
            return None
        count.quiet_until = at + COOLDOWN
        return Surge(kind, key, at, (bucket - WINDOW + 1) * BUCKET, posts, mu)

    def prune(self, now: float) -> None:
        """Forget counts idle for a day whose baseline fell to the floor (memory stays flat on a long replay)."""
        stale = [key for key, c in self.counts.items()
                 if now - c.bucket * BUCKET > 86400 and c.rate <= c.floor * 1.01 and now >= c.quiet_until]
        for key in stale:
            del self.counts[key]
