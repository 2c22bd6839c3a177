"""Typo tolerance: the known words within one or two edits of a word the index does not know.

Words of up to 3 letters are taken as typed; 4 to 7 letters allow one edit ("stret" -> "street"), 8 or more allow
two ("grafitti" -> "graffiti"). An edit is a letter added, dropped, changed, or two neighbours swapped. Lookups
use deletion neighbourhoods (the symmetric-delete method): every known word is filed under the strings it gives
with one or two letters deleted, so a lookup makes a few dozen dictionary probes instead of comparing against the
whole vocabulary, and then checks the true distance of the few candidates.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator

MIN_LENGTH = 4
TWO_EDITS_FROM = 8


def allowed_edits(word: str) -> int:
    """How many edits a typed word of this length may be away from the word meant."""
    if len(word) < MIN_LENGTH or word.isdigit():
        return 0
    return 2 if len(word) >= TWO_EDITS_FROM else 1


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (insert, delete, substitute, swap neighbours); limit+1 once past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def deletions(word: str, depth: int) -> Iterator[str]:
    """The word and every string made from it by deleting up to `depth` letters (some more than once)."""
    yield word
    if depth >= 1:
        for i in range(len(word)):
            once = word[:i] + word[i + 1:]
            yield once
            if depth >= 2:
                for j in range(i, len(once)):  # j >= i: each pair of deleted positions once
                    yield once[:j] + once[j + 1:]


class Vocabulary:
    """The words an index knows, with their deletion neighbourhoods (built on the first lookup that needs them)."""

    def __init__(self, known: Iterable[str]) -> None:
        self.words = frozenset(known)
        self._neighbourhoods: dict[str, list[str]] | None = None

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def _filed(self) -> dict[str, list[str]]:
        if self._neighbourhoods is None:
            filed: dict[str, list[str]] = defaultdict(list)
            for word in self.words:
                if len(word) >= MIN_LENGTH - 1 and not word.isdigit():
                    for deleted in set(deletions(word, 2 if len(word) >= TWO_EDITS_FROM - 2 else 1)):
                        filed[deleted].append(word)
            self._neighbourhoods = dict(filed)
        return self._neighbourhoods

    def near(self, word: str) -> list[tuple[int, str]]:
        """Known words within the allowed edits of `word`, as (distance, word), closest first; [] if none or known."""
        limit = allowed_edits(word)
        if limit == 0 or word in self.words:
            return []
        filed = self._filed()
        candidates = {known for deleted in set(deletions(word, limit)) for known in filed.get(deleted, ())}
        found = [(edit_distance(word, known, limit), known) for known in candidates]
        return sorted((distance, known) for distance, known in found if 0 < distance <= limit)
