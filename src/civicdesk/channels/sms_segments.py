"""How many SMS segments a text takes, and in which encoding (GSM-7 or UCS-2): what the resident's phone receives.

GSM-7 (3GPP TS 23.038): the basic set takes one septet a character, the extension set (^ { } [ ] ~ | \\ € and form
feed) two (an escape and the character). 160 septets fit one message; a longer one is split into parts of 153
(the rest holds the concatenation header), and an escaped pair is never split across two parts. Any other character
makes the whole text UCS-2: 70 UTF-16 code units in one message, 67 a part, and a surrogate pair (an emoji) is never
split. The same rules are in static/channels/sms_segments.js for the composer; a test checks they agree.
"""

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
GSM7 = "GSM-7"
UCS2 = "UCS-2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}  # (one message, each part of a longer one)
WARN_AT_SEGMENTS = 10  # the composer asks the agent to confirm a text this long


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # GSM7 or UCS2
    segments: int  # 0 for an empty text
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    characters: int  # what a person counts: code points
    remaining: int  # units left in the last segment before another one starts


def _units(text: str, encoding: str) -> list[int]:
    """The size of each character in the encoding's units."""
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def encoding_of(text: str) -> str:
    return GSM7 if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text) else UCS2


def count(text: str) -> SegmentCount:
    """The encoding, segments and sizes of `text` as sent (no character is replaced or dropped)."""
    encoding = encoding_of(text)
    sizes = _units(text, encoding)
    total = sum(sizes)
    single, part = LIMITS[encoding]
    if total == 0:
        return SegmentCount(encoding, 0, 0, 0, single)
    if total <= single:
        return SegmentCount(encoding, 1, total, len(text), single - total)
    segments, used = 1, 0
    for size in sizes:  # fill parts in order: a character that does not fit whole starts the next part
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return SegmentCount(encoding, segments, total, len(text), part - used)
