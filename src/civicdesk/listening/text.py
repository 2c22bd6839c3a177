"""Splitting a post into tokens, spotting reposts, and the fingerprint that collapses near-duplicates."""

import re
import zlib

TOKEN = re.compile(r"https?://\S+|[@#]?\w[\w']*")
REPOST = re.compile(r"^\s*(?:rt|RT|Rt)\s*@\w+:?|\bvia\s+@\w+\s*$")
WORD = re.compile(r"https?://\S+|@\w+|#?(\w[\w']*)")  # links and names match as '' (dropped)
NOISE_PREFIXES = ("http", "@")
NOISE_WORDS = frozenset({"rt", "via", "amp"})
FINGERPRINT_TOKENS = 14  # a truncated repost still shares its opening words with the original


def tokens(text: str) -> list[str]:
    """Lower-case words, '#tags' and '@names' in order; links become the one token 'http'."""
    found = TOKEN.findall(text.lower())
    return ["http" if word.startswith("http") else word for word in found]


def words_of(lowered: str) -> list[str]:
    """features() straight from lower-cased text, in one regular-expression pass (the ingest path's form)."""
    return [word for word in WORD.findall(lowered) if word and word not in NOISE_WORDS]


def features(words: list[str]) -> list[str]:
    """What the classifier sees: words without '#' (a tag is its word), no names, no links, no noise."""
    out = []
    for word in words:
        if word[0] == "@" or word == "http" or word in NOISE_WORDS:
            continue
        out.append(word[1:] if word[0] == "#" else word)
    return out


def is_repost(text: str) -> bool:
    return REPOST.search(text) is not None


def fingerprint(words: list[str]) -> int:
    """A 63-bit number shared by a post, its reposts ('RT @a: ...', '... via @b') and copies differing only in
    links, mentions, case, punctuation or a truncated ending: the first words that carry content."""
    key = " ".join([w for w in words if not w.startswith(NOISE_PREFIXES)][:FINGERPRINT_TOKENS]).encode()
    return (zlib.crc32(key) << 31) ^ zlib.adler32(key) & 0x7FFFFFFF
