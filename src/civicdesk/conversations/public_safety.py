"""Personal data in a draft that would be posted publicly: email addresses, phone numbers, street addresses (in
English and Spanish writing) and the case's private details. Pure functions: the caller reads the case's private
details (conversations.public_privacy.private_details) and passes them in."""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _

# Regions whose local writing of numbers we recognise without a "+": the city's own, and Spain's (Spanish speakers
# write "612 34 56 78"). International numbers (+44 20 ...) are found whatever the region.
PHONE_REGIONS = ("US", "ES")
SHINGLE_WORDS = 5  # a private note's text counts as quoted when five words in a row are in the draft
MIN_PRIVATE_LENGTH = 4  # shorter private values (initials, "Ed") match too much ordinary text

# A case number (PW-2026-000123) or a bare year-and-sequence: not a phone number.
CASE_NUMBER = re.compile(r"(?:[A-Za-z]{2,5}-)?\d{4}-\d{6}")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?![\w-])", re.IGNORECASE)

_EN_STREET_WORDS = (
    "street|st|avenue|ave|av|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|place|pl|way|terrace|ter|parkway|"
    "pkwy|highway|hwy|circle|cir|square|sq|alley|aly|trail|trl|plaza|pike|row|walk")
# "1234 N. Elm Street", "55 Martin Luther King Jr Blvd", "12B Oak St, apt 4"
# Names between the number and the street word: up to four capitalised words (or ordinals: "5th"), or at most two
# in lower case ("1200 elm street"), so "12 potholes to fix this street" is not an address.
EN_ADDRESS = re.compile(
    r"\b\d{1,6}[a-zA-Z]?(?:-\d{1,4})?\s+(?i:(?:[nsew]|north|south|east|west)\.?\s+)?"
    r"(?:(?:[A-Z0-9][\w'’.-]*\s+){0,4}|(?:[a-z][\w'’.-]*\s+){1,2})(?i:" + _EN_STREET_WORDS + r")\b\.?")
_ES_STREET_WORDS = (
    r"calle|c/|avenida|avda\.?|av\.|paseo|p[º°]|plaza|pza\.?|pl\.|camino|carretera|ctra\.?|ronda|traves[ií]a|"
    r"glorieta|bulevar|callej[oó]n|pasaje|urbanizaci[oó]n|urb\.")
# "Calle Mayor 12", "C/ de la Paz, 5, 3º B", "Avda. de América nº 14"
ES_ADDRESS = re.compile(
    r"(?<![\w/])(?:" + _ES_STREET_WORDS + r")\s*(?:[^\W\d][\w'’.-]*\s+){0,5}?(?:[^\W\d][\w'’.-]*)\s*,?\s*"
    r"(?:n(?:[º°o]|úm\.?|um\.?|úmero|umero)\.?\s*)?\d{1,5}\b",
    re.IGNORECASE)


class FindingKind(models.TextChoices):
    EMAIL = "email", _("an email address")
    PHONE = "phone", _("a phone number")
    ADDRESS = "address", _("a street address")
    PRIVATE = "private", _("a private detail of the case")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in the draft: what kind, the words as written, and where."""

    kind: str  # a FindingKind value
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class PrivateDetails:
    """What the case holds that is not for the public: the resident's name and addresses, numbers and handles that
    are not public, the text of staff's private notes, and the case's location as the resident wrote it."""

    values: tuple[str, ...] = ()  # names, addresses, numbers: matched as whole words, ignoring case and accents
    notes: tuple[str, ...] = ()  # private note texts: matched by runs of words quoted from them


def _fold(text: str) -> str:
    """Lower case without accents, so "García" and "garcia" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def find_emails(text: str) -> list[Finding]:
    return [Finding(FindingKind.EMAIL, m.group(0), m.start(), m.end()) for m in EMAIL.finditer(text)]


def find_phones(text: str, regions: Sequence[str] = PHONE_REGIONS) -> list[Finding]:
    """Phone numbers valid in any of the regions (or written internationally), each found once."""
    found: dict[tuple[int, int], Finding] = {}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            if CASE_NUMBER.fullmatch(match.raw_string):
                continue
            found.setdefault((match.start, match.end),
                             Finding(FindingKind.PHONE, match.raw_string, match.start, match.end))
    return list(found.values())


def find_addresses(text: str, streets: Iterable[str] = ()) -> list[Finding]:
    """Street addresses as residents write them: a number then street words ("1200 Elm Street") in English, a
    street word, a name, then a number ("Calle Mayor 12") in Spanish; and, with `streets` (the city's own street
    names), a number followed by one of them ("45 Larchwood")."""
    found = []
    for pattern in (EN_ADDRESS, ES_ADDRESS):
        for m in pattern.finditer(text):
            words = m.group(0).rstrip(" ,.")  # "1200 Elm Street." ends the sentence: the full stop is not the address
            found.append(Finding(FindingKind.ADDRESS, words, m.start(), m.start() + len(words)))
    names = sorted({" ".join(s.split()) for s in streets if len(s.strip()) >= MIN_PRIVATE_LENGTH}, key=len,
                   reverse=True)
    if names:
        known = re.compile(r"\b\d{1,6}[a-z]?\s+(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)
        found += [Finding(FindingKind.ADDRESS, m.group(0), m.start(), m.end()) for m in known.finditer(text)]
    return found


def _whole_words(value: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in _fold(value).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def find_private(text: str, details: PrivateDetails) -> list[Finding]:
    """The case's private values written in the draft (whole words, any case, accents or not), and runs of
    SHINGLE_WORDS words (or a whole short note) taken from a private note."""
    folded = _fold(text)
    if len(folded) != len(text):  # a character that folds to several (ß): positions would shift; fold per char
        folded = "".join(_fold(ch)[:1] or " " for ch in text)
    found = []
    for value in details.values:
        if len(value.strip()) < MIN_PRIVATE_LENGTH:
            continue
        for m in _whole_words(value).finditer(folded):
            found.append(Finding(FindingKind.PRIVATE, text[m.start():m.end()], m.start(), m.end()))
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"\w+", folded)]
    for note in details.notes:
        note_words = re.findall(r"\w+", _fold(note))
        size = min(SHINGLE_WORDS, len(note_words))
        if size < 2:
            continue
        shingles = {tuple(note_words[i:i + size]) for i in range(len(note_words) - size + 1)}
        spans: list[list[int]] = []  # runs of quoted words, overlapping runs joined
        for i in range(len(words) - size + 1):
            if tuple(w for w, _, _ in words[i:i + size]) in shingles:
                start, end = words[i][1], words[i + size - 1][2]
                if spans and start <= spans[-1][1]:
                    spans[-1][1] = end
                else:
                    spans.append([start, end])
        found += [Finding(FindingKind.PRIVATE, text[start:end], start, end) for start, end in spans]
    return found


def find_personal_data(text: str, details: PrivateDetails | None = None, *, streets: Iterable[str] = (),
                       regions: Sequence[str] = PHONE_REGIONS) -> list[Finding]:
    """Every piece of personal data in `text`, in order; where two overlap the longer one is kept (an email
    address that is also a private value is reported once)."""
    found = [*find_emails(text), *find_phones(text, regions), *find_addresses(text, streets)]
    if details is not None:
        found += find_private(text, details)
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def kinds_found(findings: Iterable[Finding]) -> list[str]:
    """The kinds of personal data found, each once, in the order of FindingKind."""
    present = {f.kind for f in findings}
    return [kind.value for kind in FindingKind if kind.value in present]
