"""Reading a staff search into terms, the words of the case search document (cases migration 0013) it must hold.

Every term must match (AND); a term matches when the document holds any of its words (OR), or, for a prefix term,
a word starting with one of them. How each kind of text is read:

- an email address: the compact word the document files it under ("rosa.tester@example.com" -> rosatesterexamplecom);
- a case-number fragment ("CD-2026-0020"): a prefix of the compact number;
- digit groups joined by phone punctuation, or of 7 digits or more in all ("+1 215 555 0100", "555-01"): a prefix
  of the digits, which the document holds as every run of 4 or more last digits of each phone number; a run of 4
  or more digits ("2001", "0100") also reads as a prefix, so it finds a sequence number's end and a phone
  number's middle;
- words: as typed (the engine stems both sides: "potholes" finds "pothole"); a street word and its abbreviation are
  one ("St" finds "Street"); a word of 4 or more letters that finds nothing is replaced by the words one edit away
  (typo tolerance, see civicdesk.search.typos).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace

from civicdesk.places.text import ABBREVIATIONS
from civicdesk.search.analysis import stop_words
from civicdesk.search.typos import MIN_LENGTH

MAX_TERMS = 12
MAX_FUZZY_LENGTH = 30  # longer "words" are pasted ids or noise: 26 neighbours per letter is enough to look up
MIN_FRAGMENT_DIGITS = 4  # shorter runs of digits are words (a house number), not number fragments
PHONE_DIGITS = 7  # digit groups with this many digits in all are one number typed with spaces
EMAIL = re.compile(r"[^\s@<>()\"',;]+@[^\s@<>()\"',;]+\.[^\s@<>()\"',;]*[^\s@<>()\"',;.]")
CASE_NUMBER_FRAGMENT = re.compile(r"(?<![^\W_])([^\W\d_]{2,5})-(\d{4})(?:-(\d{0,7}))?(?![^\W_])")
DIGIT_RUN = re.compile(r"(?<![^\W_])\+?\(?(?:\d(?:[\d().+-]|\s(?=[\d(]))*\d|\d)(?![^\W_])")
WORD = re.compile(r"[^\W_]+")
EMAIL_SEPARATORS = re.compile(r"[.@_+-]")  # what migration 0013 removes from an address to make its one word
PHONE_PUNCTUATION = re.compile(r"[-.()+]")  # digit groups joined by these are one number: "555-01"
STOP_WORDS = stop_words("en")  # PostgreSQL's English search drops them, so they never "find nothing"
LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SPELLED_OUT: dict[str, set[str]] = {}
for _full, _short in ABBREVIATIONS.items():
    _SPELLED_OUT.setdefault(_short, set()).add(_full)


@dataclass(frozen=True)
class Term:
    """Something every case found must hold: any of `words`, or a word starting with one of them (`prefix`).
    `fuzzy`: a typed word that typo tolerance may widen when the index does not know it."""

    words: tuple[str, ...]
    prefix: bool = False
    fuzzy: bool = False

    def widened(self) -> "Term":
        """The term with every word one edit away from its typed word added."""
        return replace(self, words=(self.words[0], *one_edit_away(self.words[0])), fuzzy=False)


def compact(text: str) -> str:
    """A case number as the one word the document files it under."""
    return "".join(WORD.findall(text))


def email_words(address: str) -> list[str]:
    """An email address as the document files it: without . @ - _ + (one word, unless it holds other signs)."""
    return WORD.findall(EMAIL_SEPARATORS.sub("", address))


def query_terms(text: str) -> list[Term]:
    """The terms of a search, in the order typed (at most MAX_TERMS); [] when it holds no word at all."""
    text = unicodedata.normalize("NFC", text.lower())
    found: list[tuple[int, Term]] = []

    def take(pattern: re.Pattern[str], read: Callable[[re.Match[str]], list[Term]]) -> None:
        nonlocal text
        for match in pattern.finditer(text):
            found.extend((match.start(), term) for term in read(match))
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)

    take(EMAIL, lambda m: [Term((word,)) for word in email_words(m.group(0))])
    take(CASE_NUMBER_FRAGMENT, lambda m: [Term((compact(m.group(0)),), prefix=True)])
    take(DIGIT_RUN, _digit_terms)
    found.extend((match.start(), _word_term(match.group(0))) for match in WORD.finditer(text))
    terms: list[Term] = []
    for _position, term in sorted(found, key=lambda item: item[0]):
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _digit_terms(match: re.Match[str]) -> list[Term]:
    groups = re.findall(r"\d+", match.group(0))
    digits = "".join(groups)
    if len(groups) > 1 and (len(digits) >= PHONE_DIGITS or PHONE_PUNCTUATION.search(match.group(0))):
        return [Term((digits,), prefix=len(digits) >= MIN_FRAGMENT_DIGITS)]
    return [Term((group,), prefix=len(group) >= MIN_FRAGMENT_DIGITS) for group in groups]


def _word_term(word: str) -> Term:
    if word.isdigit():
        return Term((word,), prefix=len(word) >= MIN_FRAGMENT_DIGITS)
    forms = {ABBREVIATIONS.get(word, word)} | _SPELLED_OUT.get(word, set()) if len(word) > 1 else set()
    others = sorted(form for form in forms - {word} if len(form) > 1)  # "n" for "north" would match any stray n
    fuzzy = (not others and word.isalpha() and MIN_LENGTH <= len(word) <= MAX_FUZZY_LENGTH
             and word not in STOP_WORDS)
    return Term((word, *others), fuzzy=fuzzy)


def one_edit_away(word: str) -> list[str]:
    """Every string one edit from `word` (a letter dropped, added or changed, or two neighbours swapped)."""
    letters = sorted(set(LETTERS) | {c for c in word if c.isalpha()})
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in letters}
    edits |= {a + c + b for a, b in splits for c in letters}
    return sorted(edit for edit in edits if edit != word and len(edit) > 1)
