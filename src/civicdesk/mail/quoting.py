"""Separating the new text of an email reply from the quoted history below it."""

import re

# "On Mon, 5 Jan 2026 at 10:00, Pat <pat@example.com> wrote:" (Gmail, Apple Mail, Thunderbird), and a few
# languages residents commonly write in. Gmail may wrap the line, so up to three lines are joined to test.
REPLY_HEADER_RES = [
    re.compile(r"^\s*on\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*am\b.{0,300}\bschrieb.{0,80}:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*le\b.{0,300}\ba\s+écrit\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*el\b.{0,300}\bescribió\s*:\s*$", re.IGNORECASE | re.DOTALL),
]
OUTLOOK_SEPARATOR_RE = re.compile(r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|"
                                  r"mensaje original)\s*-{2,}\s*$", re.IGNORECASE)
UNDERSCORE_RULE_RE = re.compile(r"^\s*_{10,}\s*$")
HEADER_FIELD_RE = re.compile(r"^\s*\*?(from|von|de)\s*:\*?\s*\S", re.IGNORECASE)
SECOND_HEADER_FIELD_RE = re.compile(r"^\s*\*?(sent|date|gesendet|envoyé|enviado|to|subject)\s*:", re.IGNORECASE)
FORWARD_MARKER_RE = re.compile(
    r"^\s*(-{3,}\s*forwarded message\s*-{3,}|begin forwarded message:|"
    r"-{3,}\s*weitergeleitete nachricht\s*-{3,}|-{3,}\s*message transféré\s*-{3,})\s*$",
    re.IGNORECASE,
)
QUOTED_LINE_RE = re.compile(r"^\s*>")
FORWARD_SUBJECT_RE = re.compile(r"^\s*(fwd?|wg|tr|rv|i)\s*:", re.IGNORECASE)


def _reply_header_at(lines: list[str], index: int) -> bool:
    for span in (1, 2, 3):
        joined = " ".join(line.strip() for line in lines[index:index + span])
        if any(pattern.match(joined) for pattern in REPLY_HEADER_RES):
            return True
    return False


def _outlook_block_at(lines: list[str], index: int) -> bool:
    """An Outlook header block: "From: ..." followed within two lines by "Sent:"/"Date:"/"To:"/"Subject:"."""
    line = lines[index]
    if OUTLOOK_SEPARATOR_RE.match(line):
        return True
    start = index + 1 if UNDERSCORE_RULE_RE.match(line) else index
    if start >= len(lines) or not HEADER_FIELD_RE.match(lines[start]):
        return False
    return any(SECOND_HEADER_FIELD_RE.match(following) for following in lines[start + 1:start + 3])


def history_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted history, or None when there is none (or it is a forward)."""
    for index, line in enumerate(lines):
        if FORWARD_MARKER_RE.match(line):
            return None  # whatever follows a forward marker is the report itself, quotes included
        if QUOTED_LINE_RE.match(line):
            continue
        if _reply_header_at(lines, index) or _outlook_block_at(lines, index):
            return index
    return None


def is_forward_subject(subject: str) -> bool:
    """Outlook forwards carry no marker line, only an "FW:" subject over a header block like a reply's."""
    return bool(FORWARD_SUBJECT_RE.match(subject or ""))


def visible_text(text: str, subject: str = "") -> str:
    """The new part of a message: reply headers and everything below them removed, ">" quoted lines dropped.

    Forwarded mail keeps everything after its "Forwarded message" marker, because that is what the
    resident wants us to read. Inline answers between quoted lines are kept.
    """
    if is_forward_subject(subject):
        return text.strip()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = history_start(lines)
    forwarded_at = next((i for i, line in enumerate(lines) if FORWARD_MARKER_RE.match(line)), None)
    if cut is not None:
        lines = lines[:cut]
    if forwarded_at is None or (cut is not None and cut < forwarded_at):
        lines = [line for line in lines if not QUOTED_LINE_RE.match(line)]
    new_text = "\n".join(lines).strip()
    return new_text or text.strip()
