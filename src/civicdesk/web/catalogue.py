"""Reading the gettext catalogues (.po) in pure Python, and checking the resident-facing part is fully translated."""

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


@dataclass
class Entry:
    """One message of a .po file: its source, translation(s), flags (fuzzy, python-format) and locations."""

    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index -> text; a singular message has only 0
    flags: set[str] = field(default_factory=set)
    locations: list[str] = field(default_factory=list)  # file paths (with ":line" when makemessages kept it)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(text for text in self.msgstr.values())

    @property
    def is_fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    def files(self) -> list[str]:
        return [location.rsplit(":", 1)[0] if location.rsplit(":", 1)[-1].isdigit() else location
                for location in self.locations]


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file in order (obsolete "#~" entries are left out)."""
    entries: list[Entry] = []
    entry = Entry()
    started = False
    key: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, started, key
        if started:
            entries.append(entry)
        entry, started, key = Entry(), False, None

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#:"):
            entry.locations += line[2:].split()
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"A continued string with nothing before it: {raw!r}")
            _append(entry, key, unescape(line[1:-1]))
            continue
        word, _, rest = line.partition(" ")
        if word in ("msgctxt", "msgid") and key is not None and key[0] == "msgstr":
            finish()  # a new entry with no blank line before it
        started = True
        value = unescape(rest.strip()[1:-1])
        if word == "msgctxt":
            key, entry.msgctxt = ("msgctxt", 0), value
        elif word == "msgid":
            key, entry.msgid = ("msgid", 0), value
        elif word == "msgid_plural":
            key, entry.msgid_plural = ("msgid_plural", 0), value
        elif word == "msgstr":
            key = ("msgstr", 0)
            entry.msgstr[0] = value
        elif word.startswith("msgstr["):
            index = int(word[7:-1])
            key = ("msgstr", index)
            entry.msgstr[index] = value
        else:
            raise ValueError(f"Unknown .po line: {raw!r}")
    finish()
    return entries


def _append(entry: Entry, key: tuple[str, int], text: str) -> None:
    name, index = key
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    elif name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def read_po(path: Path) -> list[Entry]:
    return parse_po(path.read_text(encoding="utf-8"))


def is_resident_facing(entry: Entry, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(prefixes) for path in entry.files())


def untranslated(entries: list[Entry], prefixes: tuple[str, ...]) -> list[Entry]:
    """Resident-facing entries with no (or an incomplete) translation, or marked fuzzy."""
    return [e for e in entries if not e.is_header and is_resident_facing(e, prefixes)
            and (e.is_fuzzy or not e.is_translated)]


def catalogue_of(entries: list[Entry]) -> dict[object, str]:
    """What a compiled .mo should hold: translated, non-fuzzy entries by gettext's keys."""
    found: dict[object, str] = {}
    for e in entries:
        if e.is_header or e.is_fuzzy or not e.is_translated:
            continue
        msgid = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural:
            for index, text in e.msgstr.items():
                found[(msgid, index)] = text
        else:
            found[msgid] = e.msgstr[0]
    return found


def stale_mo(po_path: Path) -> str:
    """"" when the .mo beside the .po holds exactly the .po's translations, else why not."""
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return f"{mo_path} is missing: run `make messages`."
    with mo_path.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)  # the header
    expected = catalogue_of(read_po(po_path))
    if compiled != expected:
        differing = sorted(str(k) for k in set(compiled) ^ set(expected))[:3] or sorted(
            str(k) for k in expected if compiled.get(k) != expected[k])[:3]
        return f"{mo_path} does not match {po_path.name} (e.g. {', '.join(differing)}): run `make messages`."
    return ""
