"""Finding text in templates that is not marked for translation: words outside {% translate %} and
{% blocktranslate %}, in the page or in attributes people read (alt, title, aria-label, placeholder, ...)."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

MARK = "\x00"  # stands for a variable or a translated string: never a word
READ_ATTRIBUTES = {"alt", "title", "aria-label", "aria-description", "aria-roledescription", "placeholder", "label",
                   "data-label"}
SKIPPED_ELEMENTS = {"script", "style"}
WORD = re.compile(r"[^\W\d_]{2,}")  # two letters or more in a row (not "x", "m" units, "%", "·", digits)
PATH = re.compile(r"^/[\w/.\-\x00]*$")  # a URL path such as a block's "/staff/": not words
ENDS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment",
        "verbatim": "endverbatim"}


@dataclass(frozen=True)
class Unmarked:
    path: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: unmarked text {self.text!r}"


def flatten(source: str) -> list[tuple[str, int]]:
    """The template as (text, line) pieces with every variable and translated string replaced by MARK, comments
    dropped and other tags removed, so what remains is text a person reads that no translation covers."""
    pieces: list[tuple[str, int]] = []
    closing = ""
    for token in Lexer(source).tokenize():
        line = token.lineno or 1
        if closing:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = ""
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append((token.contents, line))
        elif token.token_type == TokenType.VAR:
            pieces.append((MARK, line))
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ENDS:
                closing = ENDS[name]
                if name.startswith("blocktrans"):
                    pieces.append((MARK, line))
            elif name in ("translate", "trans") and " as " not in token.contents:
                pieces.append((MARK, line))
    return pieces


class _Reader(HTMLParser):
    def __init__(self, line_of: list[int]) -> None:
        super().__init__(convert_charrefs=True)
        self.line_of = line_of  # line in the template of each line of the flattened text
        self.found: list[tuple[int, str]] = []
        self.skipping = 0

    def _line(self) -> int:
        return self.line_of[min(self.getpos()[0] - 1, len(self.line_of) - 1)]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_ELEMENTS:
            self.skipping += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and WORD.search(value.replace(MARK, " ")):
                self.found.append((self._line(), f"{name}={value.replace(MARK, '…')!r}"))

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_ELEMENTS and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and WORD.search(data.replace(MARK, " ")) and not PATH.match(data.strip()):
            self.found.append((self._line(), " ".join(data.replace(MARK, "…").split())))


def unmarked_text(source: str, *, html: bool = True) -> list[tuple[int, str]]:
    """(line, text) of each piece of readable text no translation tag covers."""
    flat, line_of = "", [1]  # line_of[n]: the template line where line n of the flattened text starts
    for text, line in flatten(source):
        line_of += [line + offset for offset in range(1, text.count("\n") + 1)]
        flat += text
    if not html:
        return [(line_of[n], " ".join(chunk.replace(MARK, "…").split()))
                for n, chunk in enumerate(flat.split("\n")) if WORD.search(chunk.replace(MARK, " "))]
    reader = _Reader(line_of)
    reader.feed(flat)
    reader.close()
    return reader.found


def check_templates(root: Path, paths: list[str], allowed: dict[str, set[str]]) -> list[Unmarked]:
    """Unmarked text in the templates under `root` matching `paths` (globs), less the allowed texts per path."""
    found = []
    for pattern in paths:
        for path in sorted(root.glob(pattern)):
            name = str(path.relative_to(root))
            for line, text in unmarked_text(path.read_text(encoding="utf-8"), html=path.suffix == ".html"):
                if text not in allowed.get(name, set()):
                    found.append(Unmarked(name, line, text))
    return found
