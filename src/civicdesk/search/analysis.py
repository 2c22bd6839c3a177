"""Turning text into search terms: words, without stop words, stemmed and folded, for one language.

The same analyzer reads the documents and the query, so "potholes" finds "Pothole" and "recogida" finds
"recogido". Words are lower-cased and folded to plain letters after stemming ("camión" and "camion" meet), and
each term keeps the word it came from (its surface), which typo tolerance compares against.
"""

import functools
import re
import unicodedata
from dataclasses import dataclass

import snowballstemmer
from snowballstemmer.basestemmer import BaseStemmer

from civicdesk.search.stopwords import BY_LANGUAGE

# Languages the search has a stemmer for, by the code Django uses; other languages are split into words only.
STEMMERS = {"en": "english", "es": "spanish", "fr": "french", "pt": "portuguese", "de": "german", "it": "italian"}
WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
MAX_WORD_LENGTH = 40  # longer runs of letters are not words anyone types; they are cut, not stemmed whole


@dataclass(frozen=True, slots=True)
class Term:
    """One searchable word: its stem (what matches) and its folded surface form (what typo tolerance reads)."""

    stem: str
    surface: str
    position: int


def fold(text: str) -> str:
    """Lower-case without accents: "Camión" -> "camion"; "ñ" becomes "n", as residents type it on any keyboard."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, lower-cased (accents kept for the stemmer), with curly apostrophes made straight."""
    normal = unicodedata.normalize("NFC", text.lower().translate(APOSTROPHES))
    return [w[:MAX_WORD_LENGTH] for w in WORD.findall(normal)]


def base_language(code: str) -> str:
    """"es-mx" -> "es": the analyzers work per language, not per region."""
    return code.split("-")[0].split("_")[0].lower()


@functools.lru_cache(maxsize=64)
def _stemmer(language: str) -> BaseStemmer | None:
    algorithm = STEMMERS.get(base_language(language))
    return snowballstemmer.stemmer(algorithm) if algorithm else None


@functools.lru_cache(maxsize=100_000)
def stem(language: str, word: str) -> str:
    """The folded stem of a lower-case word in a language ("potholes" -> "pothol"); cached, stemming is slow."""
    if word.isdigit():
        return word
    stemmer = _stemmer(language)
    base = word.removesuffix("'s")
    return fold(stemmer.stemWord(base) if stemmer is not None else base)


def stop_words(*languages: str) -> frozenset[str]:
    """The stop words of these languages together."""
    return frozenset().union(*(BY_LANGUAGE.get(base_language(code), frozenset()) for code in languages))


class Analyzer:
    """Words -> terms for one language: stop words dropped, the rest stemmed and folded.

    An index that reads queries in several languages gives each analyzer the stop words of all of them, since a
    resident's query and a service's search terms may be in any: "hole in the road" read as Spanish must not match
    every Spanish-read phrase holding "in".
    """

    def __init__(self, language: str, stop: frozenset[str] | None = None) -> None:
        self.language = base_language(language)
        self.stop_words = stop_words(self.language) if stop is None else stop

    def __repr__(self) -> str:
        return f"Analyzer({self.language!r})"

    def is_stop_word(self, surface: str) -> bool:
        return surface in self.stop_words

    def terms(self, text: str) -> list[Term]:
        """The searchable terms of a text, in order; positions count the stop words too, so phrases stay apart."""
        found = []
        for position, word in enumerate(words(text)):
            surface = fold(word)
            if surface in self.stop_words or surface.replace("'", "") in self.stop_words:
                continue
            found.append(Term(stem(self.language, word), surface.replace("'", ""), position))
        return found

    def stems(self, text: str) -> list[str]:
        return [term.stem for term in self.terms(text)]
