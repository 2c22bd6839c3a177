"""Training the relevance classifier on CrisisLex T6 and scoring it leave one event out (`civicdesk listening train`).

The model is a logistic regression over binary word and word-pair features, fitted by L-BFGS (scipy) with an L2
penalty. Only features seen in at least MIN_DF posts of the training events are kept, so the model file is small
and scoring a post is a dictionary look-up per word (no hashing, no sparse matrix at ingest time).
"""

import csv
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

from civicdesk.listening.lexicon import TERM_STOPWORDS
from civicdesk.listening.text import features, tokens, words_of

SNOWFLAKE_EPOCH_MS = 1288834974657
MIN_DF = 3
L2 = 3.0
STATIC_THRESHOLD = 0.3  # the shipped model's cut: below 0.5 because an unseen event's own words are unknown
BIGRAMS = True


@dataclass(frozen=True)
class Example:
    event: str
    tweet_id: int
    text: str
    relevant: bool

    @property
    def timestamp_ms(self) -> int:
        """A tweet id's time: its top 41 bits count milliseconds from Twitter's epoch (the snowflake layout)."""
        return (self.tweet_id >> 22) + SNOWFLAKE_EPOCH_MS


@dataclass
class Fitted:
    vocabulary: list[str]
    weights: np.ndarray
    bias: float


@dataclass(frozen=True)
class Scores:
    weighted_f1: float
    macro_f1: float
    per_event: dict[str, tuple[float, float]]


def read_crisislex(root: Path) -> list[Example]:
    """Every labelled tweet under root (one folder per event holding '*-ontopic_offtopic.csv')."""
    examples = []
    for path in sorted(root.glob("*/*ontopic_offtopic.csv")):
        event = path.parent.name
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for row in reader:
                if len(row) < 3:
                    continue
                examples.append(Example(event, int(row[0].strip().strip("'")), row[1], row[2].strip() == "on-topic"))
    return examples


def labels_of(examples: Sequence[Example]) -> np.ndarray:
    return np.array([e.relevant for e in examples])


def post_features(text: str) -> list[str]:
    words = words_of(text.lower())
    if BIGRAMS:
        return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    return words


def _matrix(docs: Sequence[list[str]], index: dict[str, int]) -> sparse.csr_matrix:
    rows: list[int] = []
    cols: list[int] = []
    for row, doc in enumerate(docs):
        seen = {index[f] for f in doc if f in index}
        rows.extend([row] * len(seen))
        cols.extend(seen)
    data = np.ones(len(rows), dtype=np.float64)
    matrix = sparse.csr_matrix((data, (rows, cols)), shape=(len(docs), len(index)))
    norms = np.sqrt(np.asarray(matrix.sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def fit(docs: Sequence[list[str]], labels: np.ndarray, *, min_df: int | None = None, l2: float | None = None) -> Fitted:
    min_df = MIN_DF if min_df is None else min_df
    l2 = L2 if l2 is None else l2
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(set(doc))
    vocabulary = sorted(f for f, n in counts.items() if n >= min_df)
    index = {f: i for i, f in enumerate(vocabulary)}
    x = _matrix(docs, index).tocsr()
    y = labels.astype(np.float64)
    n = x.shape[0]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = x @ w + b
        p = 1.0 / (1.0 + np.exp(-z))
        value = float(np.sum(np.logaddexp(0.0, z) - y * z)) / n + 0.5 * l2 / n * float(w @ w)
        g = (p - y) / n
        return value, np.concatenate([x.T @ g + l2 / n * w, [g.sum()]])

    start = np.zeros(len(vocabulary) + 1)
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 150})
    return Fitted(vocabulary, result.x[:-1].astype(np.float32), float(result.x[-1]))


def predict(model: Fitted, docs: Iterable[list[str]]) -> np.ndarray:
    index = {f: i for i, f in enumerate(model.vocabulary)}
    x = _matrix(list(docs), index)
    return np.asarray(1.0 / (1.0 + np.exp(-(x @ model.weights + model.bias))))


def f1_scores(truth: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """(weighted F1, macro F1) over the two classes, weights by each class's support."""
    scores, supports = [], []
    for label in (True, False):
        tp = float(np.sum((predicted == label) & (truth == label)))
        fp = float(np.sum((predicted == label) & (truth != label)))
        fn = float(np.sum((predicted != label) & (truth == label)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        supports.append(float(np.sum(truth == label)))
    total = sum(supports) or 1.0
    return sum(s * n for s, n in zip(scores, supports, strict=True)) / total, sum(scores) / 2


def leave_one_event_out(examples: Sequence[Example], threshold: float = 0.5) -> Scores:
    """Train on every event but one and score the one left out, for each event; pooled F1 over all held-out posts."""
    docs = [post_features(e.text) for e in examples]
    labels = np.array([e.relevant for e in examples])
    events = np.array([e.event for e in examples])
    predicted = np.zeros(len(examples), dtype=bool)
    per_event = {}
    for event in sorted(set(events.tolist())):
        held = events == event
        model = fit([d for d, h in zip(docs, held, strict=True) if not h], labels[~held])
        predicted[held] = predict(model, [d for d, h in zip(docs, held, strict=True) if h]) >= threshold
        per_event[event] = f1_scores(labels[held], predicted[held])
    weighted, macro = f1_scores(labels, predicted)
    return Scores(weighted, macro, per_event)


def self_trained(source_docs: Sequence[list[str]], source_labels: np.ndarray, target_docs: Sequence[list[str]],
                 *, rounds: int = 2) -> np.ndarray:
    """Relevance of target posts after adapting to them: fit on the labelled source, then twice refit with the
    target's most confident 35% as relevant and least confident 30% as not (self-training on unlabelled posts;
    a new event's own words, 'sandy' or 'hurricane', are learnt from the posts they share with known crisis words)."""
    model = fit(source_docs, source_labels)
    probs = predict(model, target_docs)
    for _ in range(rounds):
        order = np.argsort(probs)
        positive, negative = order[-int(len(probs) * 0.35):], order[:int(len(probs) * 0.30)]
        docs = list(source_docs) + [target_docs[i] for i in positive] + [target_docs[i] for i in negative]
        labels = np.concatenate([source_labels, np.ones(len(positive), bool), np.zeros(len(negative), bool)])
        probs = predict(fit(docs, labels), target_docs)
    return probs


def leave_one_event_out_adapted(examples: Sequence[Example], threshold: float = 0.4) -> Scores:
    """As leave_one_event_out, with self-training on the held-out event's unlabelled text (its labels unseen)."""
    docs = [post_features(e.text) for e in examples]
    labels = np.array([e.relevant for e in examples])
    events = np.array([e.event for e in examples])
    predicted = np.zeros(len(examples), dtype=bool)
    per_event = {}
    for event in sorted(set(events.tolist())):
        held = events == event
        source = [d for d, h in zip(docs, held, strict=True) if not h]
        target = [d for d, h in zip(docs, held, strict=True) if h]
        predicted[held] = self_trained(source, labels[~held], target) >= threshold
        per_event[event] = f1_scores(labels[held], predicted[held])
    weighted, macro = f1_scores(labels, predicted)
    return Scores(weighted, macro, per_event)


def crisis_terms(examples: Sequence[Example], model: Fitted, *, limit: int = 150) -> list[str]:
    """The starting keyword list offered to new streams: single words relevant in at least three events' posts,
    ranked by the model's weight (generated from the training data, not copied from any published lexicon)."""
    events_per_word: dict[str, set[str]] = {}
    for example in examples:
        if example.relevant:
            for word in set(features(tokens(example.text))):
                events_per_word.setdefault(word, set()).add(example.event)
    weight = dict(zip(model.vocabulary, model.weights.tolist(), strict=True))
    candidates = [w for w, events in events_per_word.items()
                  if len(events) >= 3 and " " not in w and len(w) > 2 and w not in TERM_STOPWORDS
                  and not w.isdigit() and weight.get(w, 0) > 0]
    return sorted(candidates, key=lambda w: -weight[w])[:limit]


def save(model: Fitted, terms: list[str], path: Path, *, threshold: float) -> None:
    """The model file: every feature and their weights as float16, bias, threshold, terms."""
    keep = np.abs(model.weights) >= 0.0  # every feature: the runtime norm counts them all
    vocabulary = [f for f, k in zip(model.vocabulary, keep.tolist(), strict=True) if k]
    np.savez_compressed(path, vocabulary=np.frombuffer("\n".join(vocabulary).encode(), dtype=np.uint8),
                        weights=model.weights[keep].astype(np.float16), bias=np.float32(model.bias),
                        threshold=np.float32(threshold),
                        terms=np.frombuffer("\n".join(terms).encode(), dtype=np.uint8))
