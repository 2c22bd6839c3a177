"""Answering a query from an index: matching each word (exactly, by prefix, or past a typo) and ranking documents.

A document's score adds, for each query word, the best (field weight x match quality x rarity) among its matches,
plus a bonus when the query holds one of its phrases whole ("trash wasn't picked up"). Documents that match every
word of the query rank above those that match some; the score orders them within. The query is read in each of
the index's languages and each document keeps its best reading, so "bache" and "pothole" both find a pothole.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from civicdesk.search.analysis import WORD, Term, fold, stem
from civicdesk.search.documents import Document, Kind
from civicdesk.search.index import LanguageIndex, SearchIndex

MAX_QUERY_WORDS = 12
EXACT, PREFIX = 1.0, 0.55
TYPO_QUALITY = {1: 0.8, 2: 0.6}
PHRASE_BONUS = 1.5  # per word of a phrase found whole, times its field's weight / 10
# A hit matching fewer of the query's words than the best hit is shown only when it scores at least this share of it
# ("big hole in road": not every service with "road" in a phrase)
MIN_SHARE_OF_BEST = 0.5


@dataclass(frozen=True, slots=True)
class Match:
    stem: str
    quality: float
    correction: str = ""  # the known word a typo was read as


@dataclass
class Hit:
    document: Document
    number: int  # the document's place in the index, the last tie-break (the catalogue's own order)
    score: float
    matched: int  # query words this document matched
    words: int  # query words, in the language the document was read in
    language: str
    corrections: dict[str, str] = field(default_factory=dict)

    @property
    def rank_key(self) -> tuple[float, float, int]:
        return (self.matched / self.words if self.words else 0.0, self.score, -self.number)


@dataclass
class Results:
    query: str
    hits: list[Hit]
    suggestion: str = ""  # the query with its typos corrected, when a correction found something


def word_matches(index: LanguageIndex, term: Term) -> list[Match]:
    """How one query word can match: itself, else known words it starts, else known words one or two typos away."""
    if index.knows(term):
        return [Match(term.stem, EXACT)]
    found = [Match(s, PREFIX) for s in index.with_prefix(term.surface)] if len(term.surface) >= 3 else []
    near = index.near(term.surface)
    if near:
        # the suggestion prefers the words services are named by, then the closest, then one of the same length
        # (a letter mistyped rather than one missing), then the most widespread: "grafitti" reads as "graffiti"
        # (a name, two edits) rather than "grafiti" (a Spanish term, one edit), "ratz" as "rats" rather than "rat"
        suggestion = min(near, key=lambda dw: (dw[0] - (dw[1] in index.named), abs(len(dw[1]) - len(term.surface)),
                                               -index.holding(dw[1]), dw[1]))[1]
        found += [Match(index.surfaces[word], TYPO_QUALITY[distance], suggestion) for distance, word in near]
    return found


def read_in(index: LanguageIndex, documents: list[Document], query: str, allowed: set[int] | None) -> list[Hit]:
    """The hits of a query read in one language (unsorted)."""
    terms = list({t.stem: t for t in index.analyzer.terms(query)[:MAX_QUERY_WORDS]}.values())
    if not terms:
        return []
    matches = [word_matches(index, term) for term in terms]
    for n, (first, second) in enumerate(zip(terms, terms[1:], strict=False)):
        # "pot hole" finds "pothole", "street light" finds "streetlight": when one of the two is not known as is,
        # the two words are read as one, each earning half of it
        if index.knows(first) and index.knows(second):
            continue
        joined = stem(index.analyzer.language, first.surface + second.surface)
        if joined in index.postings:
            matches[n].append(Match(joined, EXACT / 2))
            matches[n + 1].append(Match(joined, EXACT / 2))
    best: dict[int, dict[int, tuple[float, Match]]] = defaultdict(dict)  # doc -> word -> (score, match)
    for n, word in enumerate(matches):
        for match in word:
            rarity = index.idf(match.stem)
            for doc, weight in index.postings.get(match.stem, {}).items():
                if allowed is not None and doc not in allowed:
                    continue
                score = weight * match.quality * rarity
                if score > best[doc].get(n, (0.0, match))[0]:
                    best[doc][n] = (score, match)
    found_stems = {m.stem for word in matches for m in word}
    hits = []
    for doc, by_word in best.items():
        bonus = max((PHRASE_BONUS * p.weight / 10 * len(p.stems) for p in index.phrases.get(doc, ())
                     if p.stems <= found_stems), default=0.0)
        corrections = {terms[n].surface: m.correction for n, (_, m) in by_word.items() if m.correction}
        score = sum(s for s, _ in by_word.values()) + bonus
        hits.append(Hit(documents[doc], doc, score, len(by_word), len(terms), index.analyzer.language, corrections))
    return hits


def search(index: SearchIndex, query: str, *, kinds: set[Kind] | None = None, limit: int | None = None) -> Results:
    """The documents matching a query, best first, with a corrected query to suggest when typos were read."""
    allowed = None if kinds is None else {n for n, d in enumerate(index.documents) if d.kind in kinds}
    best: dict[int, Hit] = {}
    for language_index in index.by_language.values():
        for hit in read_in(language_index, index.documents, query, allowed):
            if hit.number not in best or hit.rank_key > best[hit.number].rank_key:
                best[hit.number] = hit
    hits = sorted(best.values(), key=lambda h: h.rank_key, reverse=True)
    if hits:
        top = hits[0]
        hits = [h for h in hits if h.rank_key[0] >= top.rank_key[0] or h.score >= top.score * MIN_SHARE_OF_BEST]
    corrections = hits[0].corrections if hits else {}
    return Results(query, hits[:limit] if limit else hits, corrected(query, corrections))


def corrected(query: str, corrections: dict[str, str]) -> str:
    """The query with each misspelt word replaced by the word it was read as ("stret light" -> "street light")."""
    if not corrections:
        return ""
    return WORD.sub(lambda m: corrections.get(fold(m.group(0)).replace("'", ""), m.group(0)), query)

