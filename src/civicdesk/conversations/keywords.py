"""SMS consent keywords: a whole text that is STOP, START or HELP (English or Spanish) is a request, not a case."""

import re
import unicodedata
from dataclasses import dataclass

from django.db import models


class KeywordAction(models.TextChoices):
    OPT_OUT = "opt_out", "Opt out"
    OPT_IN = "opt_in", "Opt back in"
    HELP = "help", "Help"


# The carriers' and CTIA's keywords, and their usual Spanish ones; the language is the reply's.
KEYWORDS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "REVOKE", "OPTOUT", "CANCEL"),
                    (KeywordAction.OPT_OUT, "en")),
    **dict.fromkeys(("PARAR", "ALTO", "BASTA"), (KeywordAction.OPT_OUT, "es")),
    **dict.fromkeys(("START", "YES", "UNSTOP"), (KeywordAction.OPT_IN, "en")),
    **dict.fromkeys(("HELP", "INFO"), (KeywordAction.HELP, "en")),
    "AYUDA": (KeywordAction.HELP, "es"),
}
# Punctuation, symbols and spaces around the word ("Stop!", " stop. ", "¡BASTA!", "*STOP*") do not matter.
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
MAX_KEYWORD_MESSAGE = 40  # longer texts are never keywords: no need to look further


@dataclass(frozen=True)
class Keyword:
    word: str  # as listed above, upper case
    action: str  # a KeywordAction
    language: str  # "en" or "es": the language of the confirmation


def normalize(text: str) -> str:
    """The message reduced to its word: surrounding punctuation and space gone, upper case, accents kept."""
    text = unicodedata.normalize("NFC", text or "").strip()
    return _EDGES.sub("", text).upper()


def keyword_of(text: str) -> Keyword | None:
    """The keyword the whole message is, or None ("stop by tomorrow please" is not one)."""
    if not text or len(text) > MAX_KEYWORD_MESSAGE:
        return None
    word = normalize(text)
    found = KEYWORDS.get(word)
    return Keyword(word, found[0], found[1]) if found else None
