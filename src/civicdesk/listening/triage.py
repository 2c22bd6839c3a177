"""Triage of a batch of posts at once: language, relevance, information type, urgency and sentiment (vectorised)."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from civicdesk.listening.models import Category
from civicdesk.listening.scoring import (
    CATEGORY_ORDER,
    ENGLISH,
    RELEVANCE,
    SENTIMENT,
    SPANISH,
    URGENCY,
    Scorer,
    default_scorer,
    sentiment,
    sigmoid,
)
from civicdesk.listening.text import words_of

CATEGORIES = np.array([*(str(c) for c in CATEGORY_ORDER), Category.OTHER_USEFUL.value, Category.NOT_RELEVANT.value],
                      dtype=object)
NOT_URGENT_CATEGORIES = (CATEGORY_ORDER.index(Category.DONATIONS_VOLUNTEERING),
                         CATEGORY_ORDER.index(Category.SYMPATHY))


@dataclass
class Triaged:
    words: list[list[str]]  # each post's words (features), for fingerprints and term counts
    lang: list[str]
    relevance: np.ndarray
    relevant: np.ndarray
    category: np.ndarray  # of str
    urgent: np.ndarray
    sentiment: np.ndarray


@cache
def _language_identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def identify_language(text: str) -> str:
    """py3langid's answer, for posts whose stop words do not settle English against Spanish."""
    return str(_language_identifier().classify(text)[0]) if text.strip() else ""


def triage(texts: Sequence[str], langs: Sequence[str | None] | None = None, scorer: Scorer | None = None) -> Triaged:
    scorer = scorer or default_scorer()
    get, pairs, pad = scorer.words.get, scorer.pairs.get, len(scorer.words)
    rows: list[int] = []
    offsets: list[int] = []
    pair_sum: list[float] = []
    pair_count: list[int] = []
    all_words = []
    join = " ".join
    for text in texts:
        feats = words_of(text.lower())
        all_words.append(feats)
        offsets.append(len(rows))
        found = set(map(get, feats))
        found.discard(None)
        rows.extend(found)  # type: ignore[arg-type]
        rows.append(pad)
        weights = [w for w in map(pairs, set(map(join, zip(feats, feats[1:], strict=False)))) if w is not None]
        pair_sum.append(sum(weights))
        pair_count.append(len(weights))
    if not texts:
        empty = np.zeros(0)
        return Triaged([], [], empty, empty.astype(bool), empty.astype(object), empty.astype(bool), empty)
    index = np.asarray(rows, dtype=np.int64)
    starts = np.asarray(offsets, dtype=np.int64)
    sums = np.add.reduceat(scorer.table[index], starts, axis=0)
    counted = np.add.reduceat(scorer.counted[index], starts) + np.asarray(pair_count, dtype=np.float32)
    z = (sums[:, RELEVANCE] + np.asarray(pair_sum, dtype=np.float32)) / np.sqrt(np.maximum(counted, 1.0))
    relevance = sigmoid(z + scorer.bias)
    relevant = relevance >= scorer.threshold
    kinds = sums[:, 1:1 + len(CATEGORY_ORDER)]
    best = np.argmax(kinds, axis=1)
    best[kinds.max(axis=1) <= 0] = len(CATEGORY_ORDER)
    best[~relevant] = len(CATEGORY_ORDER) + 1
    urgent = relevant & (sums[:, URGENCY] >= 1) & ~np.isin(best, NOT_URGENT_CATEGORIES)
    lang = _languages(texts, langs, sums[:, ENGLISH], sums[:, SPANISH])
    return Triaged(all_words, lang, relevance, relevant, CATEGORIES[best], urgent, sentiment(sums[:, SENTIMENT]))


def _languages(texts: Sequence[str], given: Sequence[str | None] | None, english: np.ndarray,
               spanish: np.ndarray) -> list[str]:
    """The post's own language tag; else English or Spanish by stop words; else py3langid (ties, no stop words)."""
    out = []
    for i, text in enumerate(texts):
        tag = given[i] if given is not None else None
        if tag:
            out.append(tag[:2].lower())
        elif english[i] > spanish[i]:
            out.append("en")
        elif spanish[i] > english[i]:
            out.append("es")
        else:
            out.append(identify_language(text))
    return out
