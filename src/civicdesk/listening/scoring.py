"""The fast stage of triage: one dictionary look-up per word into a weight table, summed per post with numpy.

Columns of the table: relevance (the trained model), five information types, urgency, sentiment (VADER's English
valences and our Spanish list), English and Spanish stop words. Word pairs carry relevance only.
"""

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from civicdesk.listening.lexicon import (
    CATEGORY_WORDS,
    ENGLISH_STOPWORDS,
    SPANISH_SENTIMENT,
    SPANISH_STOPWORDS,
    URGENT_WORDS,
)

MODEL_PATH = Path(__file__).resolve().parent / "model" / "relevance.npz"
CATEGORY_ORDER = list(CATEGORY_WORDS)
RELEVANCE, URGENCY, SENTIMENT, ENGLISH, SPANISH = 0, 6, 7, 8, 9
COLUMNS = 10


@dataclass
class Scorer:
    words: dict[str, int]  # word -> row of table
    pairs: dict[str, float]  # "word word" -> relevance weight
    table: np.ndarray  # rows x COLUMNS, float32
    counted: np.ndarray  # per row: 1 when the word is a feature the relevance model knows
    bias: float
    threshold: float
    terms: list[str]


def _vader_lexicon() -> dict[str, float]:
    try:
        import vaderSentiment
    except ImportError:  # sentiment then rests on the Spanish list alone
        return {}
    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and " " not in parts[0]:
            found[parts[0]] = float(parts[1])
    return found


def load(path: Path = MODEL_PATH) -> Scorer:
    data = np.load(path)
    vocabulary = bytes(data["vocabulary"]).decode().split("\n")
    weights = data["weights"].astype(np.float32)
    terms = [t for t in bytes(data["terms"]).decode().split("\n") if t]
    pairs = {f: float(w) for f, w in zip(vocabulary, weights.tolist(), strict=True) if " " in f}
    columns: dict[str, dict[int, float]] = {}
    for feature, weight in zip(vocabulary, weights.tolist(), strict=True):
        if " " not in feature:
            columns.setdefault(feature, {})[RELEVANCE] = weight
    for column, category in enumerate(CATEGORY_ORDER, start=1):
        for word in CATEGORY_WORDS[category].split():
            columns.setdefault(word, {})[column] = 1.0
    for word in URGENT_WORDS.split():
        columns.setdefault(word, {})[URGENCY] = 1.0
    for word, valence in {**_vader_lexicon(), **SPANISH_SENTIMENT}.items():
        columns.setdefault(word, {})[SENTIMENT] = valence
    for stopwords, column in ((ENGLISH_STOPWORDS, ENGLISH), (SPANISH_STOPWORDS, SPANISH)):
        for word in stopwords:
            columns.setdefault(word, {})[column] = 1.0
    words = {word: row for row, word in enumerate(columns)}
    table = np.zeros((len(words) + 1, COLUMNS), dtype=np.float32)  # the last row: padding, all zero
    counted = np.zeros(len(words) + 1, dtype=np.float32)
    known = {f for f in vocabulary if " " not in f}
    for word, row in words.items():
        for column, value in columns[word].items():
            table[row, column] = value
        counted[row] = word in known
    return Scorer(words, pairs, table, counted, float(data["bias"]), float(data["threshold"]), terms)


@cache
def default_scorer() -> Scorer:
    return load()


def sentiment(total: np.ndarray) -> np.ndarray:
    """VADER's normalisation of a sum of valences into -1..1."""
    return total / np.sqrt(total * total + 15.0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def norm(count: int) -> float:
    return 1.0 / math.sqrt(count) if count else 0.0
