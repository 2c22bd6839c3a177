"""Normalising addresses and place names into search tokens."""

import re
import unicodedata

# full word -> the canonical (short) form both the index and the queries use
ABBREVIATIONS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "lane": "ln", "boulevard": "blvd",
    "court": "ct", "place": "pl", "square": "sq", "highway": "hwy", "parkway": "pkwy", "terrace": "ter",
    "circle": "cir", "way": "way", "trail": "trl", "crescent": "cres", "alley": "aly", "expressway": "expy",
    "north": "n", "south": "s", "east": "e", "west": "w", "saint": "st", "mount": "mt", "fort": "ft",
}
FULL_FORMS = sorted(ABBREVIATIONS.items())
WORD = re.compile(r"[a-z0-9]+")


def fold(value: str) -> str:
    """Lower case without accents: 'Café' -> 'cafe'."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(value: str) -> list[str]:
    """'100 Main Street, Apt 2' -> ['100', 'main', 'st', 'apt', '2']; ordinals keep their digits ('1st')."""
    return [ABBREVIATIONS.get(word, word) for word in WORD.findall(fold(value).replace("'", ""))]


def prefix_expansions(partial: str) -> list[str]:
    """Canonical forms of the full words that start with a partial last word: 'stre' -> ['st']."""
    if len(partial) < 2:
        return []
    return sorted({short for full, short in FULL_FORMS if full.startswith(partial) and full != partial})


def deletions(word: str) -> set[str]:
    """The word and every form with one letter deleted (the SymSpell trick for edit distance 1 lookups)."""
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}
