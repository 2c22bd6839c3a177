"""What the search box searches: documents of a kind (a service now, an article later), made of fields of text."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

ANY_LANGUAGE = "*"  # text written in any of the languages, such as a service's search terms


class Kind(StrEnum):
    SERVICE = "service"
    ARTICLE = "article"


class Field(StrEnum):
    """Where in a document a text sits; a match in the name outranks one in the terms, the keywords, and so on."""

    NAME = "name"
    TERMS = "terms"  # phrases residents use: "hole in road", "trash wasn't picked up"; one per line
    KEYWORDS = "keywords"
    TOPIC = "topic"
    DESCRIPTION = "description"
    BODY = "body"  # an article's text


# How much a word matched in each field counts; the name leads, the body trails.
FIELD_WEIGHTS: dict[Field, float] = {
    Field.NAME: 10.0, Field.TERMS: 8.0, Field.KEYWORDS: 6.0, Field.TOPIC: 3.0, Field.DESCRIPTION: 2.0,
    Field.BODY: 1.0,
}
# Fields whose lines are whole phrases: a query holding all of a phrase's words earns a bonus.
PHRASE_FIELDS = (Field.NAME, Field.TERMS, Field.KEYWORDS)


class Text(NamedTuple):
    """One piece of a document's text in one language ("en", "es", or ANY_LANGUAGE); a tuple, cheap to compare."""

    language: str
    field: Field
    text: str


@dataclass(slots=True)
class Document:
    """A searchable thing: its kind, its key among its kind (a service code), its texts and what to hand back."""

    kind: Kind
    key: str
    texts: list[Text]
    payload: object = field(default=None, compare=False)

    def fingerprint(self) -> tuple:
        """What the index depends on: equal fingerprints give equal indexes (the payload is not indexed)."""
        return (self.kind, self.key, tuple(self.texts))


def phrases(field_: Field, text: str) -> list[str]:
    """The phrases of a field: one per line (or comma) for terms and keywords, the whole text otherwise."""
    if field_ in (Field.TERMS, Field.KEYWORDS):
        return [p.strip() for line in text.splitlines() for p in line.split(",") if p.strip()]
    return [text] if text.strip() else []
