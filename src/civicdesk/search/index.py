"""The inverted index of a set of documents, one per language, built once and read by every query.

For each language the index keeps, per stem, the documents holding it with the weight of the best field it sits in;
the vocabulary of folded words for typo tolerance and prefixes; and each document's phrases (its name, search
terms and keywords) as sets of stems. Text written in ANY_LANGUAGE (search terms) goes into every language's
index, so "bache" typed in a service's terms is found whichever language the query is read in.
"""

import bisect
import copy
import math
from collections import defaultdict
from dataclasses import dataclass, field

from civicdesk.search.analysis import Analyzer, Term, base_language, stem, stop_words
from civicdesk.search.documents import ANY_LANGUAGE, FIELD_WEIGHTS, PHRASE_FIELDS, Document, Field, phrases
from civicdesk.search.typos import Vocabulary

JOINED_WEIGHT = 0.8  # "street light" also files "streetlight", a little below the words themselves
MAX_PREFIX_WORDS = 20


@dataclass(frozen=True, slots=True)
class Phrase:
    stems: frozenset[str]
    weight: float


@dataclass
class LanguageIndex:
    """One language's view of the documents."""

    analyzer: Analyzer
    postings: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    surfaces: dict[str, str] = field(default_factory=dict)  # folded word -> its stem
    named: set[str] = field(default_factory=set)  # folded words of the documents' names
    phrases: dict[int, list[Phrase]] = field(default_factory=lambda: defaultdict(list))
    size: int = 0
    _sorted_surfaces: list[str] = field(default_factory=list)
    _vocabulary: Vocabulary | None = None

    def add(self, doc: int, field_: Field, text: str) -> None:
        weight = FIELD_WEIGHTS[field_]
        for phrase in phrases(field_, text):
            terms = self.analyzer.terms(phrase)
            for term in terms:
                self._post(term.stem, term.surface, doc, weight)
                if field_ is Field.NAME:
                    self.named.add(term.surface)
            if field_ in PHRASE_FIELDS:
                for first, second in zip(terms, terms[1:], strict=False):
                    if second.position == first.position + 1:
                        joined = first.surface + second.surface
                        self._post(stem(self.analyzer.language, joined), joined, doc, weight * JOINED_WEIGHT)
                if terms:
                    self.phrases[doc].append(Phrase(frozenset(t.stem for t in terms), weight))

    def _post(self, stem_: str, surface: str, doc: int, weight: float) -> None:
        held = self.postings[stem_]
        held[doc] = max(held.get(doc, 0.0), weight)
        self.surfaces.setdefault(surface, stem_)

    def finish(self, size: int) -> None:
        self.size = size
        self.postings = dict(self.postings)
        self.phrases = dict(self.phrases)
        self._sorted_surfaces = sorted(self.surfaces)

    def idf(self, stem_: str) -> float:
        """Rarer stems count more: log(1 + N / documents holding it)."""
        held = len(self.postings.get(stem_, ()))
        return math.log(1 + self.size / held) if held else 0.0

    def holding(self, surface: str) -> int:
        """How many documents hold a known word's stem."""
        return len(self.postings.get(self.surfaces.get(surface, ""), ()))

    def knows(self, term: Term) -> bool:
        return term.stem in self.postings

    def with_prefix(self, prefix: str) -> list[str]:
        """Stems of the known words that start with `prefix` (longer than it), a bounded few."""
        start = bisect.bisect_right(self._sorted_surfaces, prefix)
        found: list[str] = []
        for surface in self._sorted_surfaces[start:start + MAX_PREFIX_WORDS]:
            if not surface.startswith(prefix):
                break
            found.append(self.surfaces[surface])
        return found

    def near(self, surface: str) -> list[tuple[int, str]]:
        """(distance, folded word) for the known words within the allowed edits of a word, closest first."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self.surfaces)
        return self._vocabulary.near(surface)


class SearchIndex:
    """The documents and their per-language indexes."""

    def __init__(self, documents: list[Document], languages: tuple[str, ...] = ("en",)) -> None:
        self.documents = documents
        self.requested_languages = languages
        named = {base_language(t.language) for d in documents for t in d.texts if t.language != ANY_LANGUAGE}
        self.languages = tuple(dict.fromkeys([*map(base_language, languages), *sorted(named)]))
        stop = stop_words(*self.languages)
        self.by_language = {language: LanguageIndex(Analyzer(language, stop)) for language in self.languages}
        for number, document in enumerate(documents):
            for text in document.texts:
                targets = self.languages if text.language == ANY_LANGUAGE else (base_language(text.language),)
                for language in targets:
                    self.by_language[language].add(number, text.field, text.text)
        for language_index in self.by_language.values():
            language_index.finish(len(documents))
        self.fingerprint = tuple(d.fingerprint() for d in documents)

    def rebind(self, documents: list[Document]) -> "SearchIndex":
        """This index over fresh copies of its documents (equal fingerprints, same order), sharing its tables."""
        clone = copy.copy(self)
        clone.documents = documents
        return clone
