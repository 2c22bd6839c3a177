"""A stream's rules compiled once: keywords and phrases, hashtags, accounts, languages and a geographic box."""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from civicdesk.listening.models import Stream

Box = tuple[float, float, float, float]
# What a running listener reads from its stream once: a change to any of them restarts it (sources.base.Watch)
RULE_FIELDS = ("keywords", "hashtags", "accounts", "languages", "box", "sensitivity", "source_url",
               "channel_account_id")


def signature(stream: Stream) -> tuple[str, ...]:
    """The stream's rules and settings as a listener uses them, to see that staff changed them."""
    return signature_of(getattr(stream, name) for name in RULE_FIELDS)


def signature_of(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(json.dumps(value, sort_keys=True) for value in values)


@dataclass(frozen=True)
class Rules:
    words: frozenset[str]
    phrases: re.Pattern[str] | None
    accounts: frozenset[str]
    languages: frozenset[str]
    box: Box | None

    @property
    def everything(self) -> bool:
        return not (self.words or self.phrases or self.accounts)

    def matches_text(self, lowered: str, words: list[str], author: str) -> bool:
        """A keyword, phrase or hashtag in the text, or a listed account; no such rule: every post."""
        if self.everything:
            return True
        if self.words and not self.words.isdisjoint(words):
            return True
        if self.phrases is not None and self.phrases.search(lowered):
            return True
        return bool(self.accounts) and author.lower().lstrip("@") in self.accounts

    def matches_place(self, lat: float | None, lon: float | None) -> bool:
        if self.box is None or lat is None or lon is None:
            return True
        return self.box[0] <= lon <= self.box[2] and self.box[1] <= lat <= self.box[3]

    def matches_language(self, lang: str) -> bool:
        return not self.languages or lang in self.languages


def jurisdiction_box() -> Box | None:
    from civicdesk.gis.lookup import active_index

    index = active_index(verify=False)
    return index.jurisdiction_extent() if index is not None else None


def compile_rules(stream: Stream) -> Rules:
    words, phrases = set(), []
    for entry in [*stream.keywords, *stream.hashtags]:
        value = str(entry).strip().lower().lstrip("#")
        if not value:
            continue
        if re.fullmatch(r"\w[\w']*", value):
            words.add(value)  # words are matched against the post's words (a tag counts as its word)
        else:
            phrases.append(re.escape(value))
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(phrases, key=len, reverse=True)) + r")(?!\w)") \
        if phrases else None
    box = tuple(float(v) for v in stream.box) if len(stream.box) == 4 else jurisdiction_box()
    return Rules(frozenset(words), pattern, frozenset(str(a).lower().lstrip("@") for a in stream.accounts),
                 frozenset(str(code).lower()[:2] for code in stream.languages), box)  # type: ignore[arg-type]
