"""HTML mail bodies: sanitising them with nh3 and deriving plain text from HTML-only messages."""

import re
from html.parser import HTMLParser

import nh3

URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}
BLOCK_TAGS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre",
              "hr", "address", "section", "article", "header", "footer"}
SKIPPED_TAGS = {"head", "style", "script", "title", "template"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images may only point at attachments of the same message (cid:); remote ones are tracking pixels."""
    if tag == "img" and attribute == "src" and not value.lower().startswith("cid:"):
        return None
    return value


def sanitize_html(html: str) -> str:
    """Safe HTML for the staff timeline: no scripts, styles, event handlers or remote images."""
    return nh3.clean(html, url_schemes=URL_SCHEMES, attribute_filter=_keep_attribute,
                     clean_content_tags={"script", "style", "title", "head", "template"})


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML document, line breaks at blocks and "> " before blockquoted lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0

    def _break(self) -> None:
        if self.lines[-1].strip():
            self.lines.append("")
        elif self.lines[-1]:
            self.lines[-1] = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth += 1
        elif tag == "blockquote":
            self._break()
            self.quote_depth += 1
        elif tag == "br":
            self.lines.append("")
        elif tag in BLOCK_TAGS:
            self._break()
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt:
                self.handle_data(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "blockquote":
            self._break()
            self.quote_depth = max(0, self.quote_depth - 1)
        elif tag in BLOCK_TAGS:
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._break()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            chunks = data.split("\n")
        else:
            chunks = [re.sub(r"\s+", " ", data)]
        for number, chunk in enumerate(chunks):
            if number:
                self.lines.append("")
            if not self.lines[-1] and self.quote_depth:
                self.lines[-1] = "> " * self.quote_depth
                chunk = chunk.lstrip()
            elif not self.lines[-1]:
                chunk = chunk.lstrip()
            self.lines[-1] += chunk

    def text(self) -> str:
        cleaned = [line.rstrip() for line in self.lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(cleaned)).strip()


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body; quoted history in <blockquote> comes out as "> " lines."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.text()
