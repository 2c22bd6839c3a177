"""What residents read, for `civicdesk check-translations`: its templates must mark every word for translation and
its messages must all be translated in every catalogue (src/civicdesk/locale/<language>/LC_MESSAGES/)."""

import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from civicdesk.web.catalogue import Entry, read_po, stale_mo, untranslated
from civicdesk.web.unmarked import Unmarked, check_templates

PACKAGE = Path(__file__).resolve().parents[1]  # src/civicdesk; catalogue locations are relative to it
DOMAINS = ("django", "djangojs")
# The Makefile's `messages` target passes the same options.
MAKEMESSAGES_OPTIONS = ["--add-location=file", "--no-obsolete", "--ignore=*/tests/*", "--ignore=testing/*",
                        "--ignore=static/vendor/*", "--ignore=node_modules/*"]

# Templates residents see (globs under src/civicdesk). Staff templates are marked as they are touched, not checked.
RESIDENT_TEMPLATES = [
    "templates/**/*.html",
    "portal/templates/**/*.html",
    "gis/templates/gis/_follow.html",
    "gis/templates/gis/_followed.html",
    "gis/templates/gis/_nearby.html",
    "gis/templates/gis/_picker.html",
    "gis/templates/gis/followed_page.html",
    "gis/templates/gis/map_page.html",
    "gis/templates/gis/_map_filters.html",
    "gis/templates/gis/_public_list.html",
    "conversations/templates/conversations/replies/**/*.txt",
    "chat/templates/chat/*.html",
    "satisfaction/templates/**/*.html",
    "satisfaction/templates/**/*.txt",
    "opendata/templates/**/*.html",
    "scorecard/templates/**/*.html",
    "crisis/templates/crisis/*.html",  # the portal's incident and alert pages (staff pages are under staff/)
]
# Sources whose messages residents read: a catalogue entry found in any of them must be translated.
RESIDENT_SOURCES = (
    "templates/", "portal/", "web/", "conversations/templates/", "conversations/rendering.py",
    "conversations/keyword_texts.py",
    "gis/templates/gis/_follow.html", "gis/templates/gis/_followed.html", "gis/templates/gis/_nearby.html",
    "gis/templates/gis/_picker.html", "gis/templates/gis/_public_list.html",
    "gis/templates/gis/followed_page.html", "gis/templates/gis/map_page.html", "gis/templates/gis/_map_filters.html",
    "gis/static/gis/", "gis/views.py",
    "gis/mapdata.py", "gis/api_views.py", "gis/map_views.py", "cases/followers.py", "cases/models.py",
    "cases/filters.py", "mail/notices.py", "open311/forwarding.py",
    "places/legend.py", "places/models.py", "places/views.py", "places/static/", "places/templates/",
    "chat/templates/", "chat/forms.py", "chat/views.py", "chat/actions.py",
    "opendata/", "scorecard/",
    "crisis/templates/crisis/_banner.html", "crisis/templates/crisis/_field.html",
    "crisis/templates/crisis/_radios.html", "crisis/templates/crisis/incident.html",
    "crisis/templates/crisis/subscribe", "crisis/templates/crisis/confirm.html",
    "crisis/templates/crisis/unsubscribe.html", "crisis/subscribe_form.py", "crisis/portal_views.py",
    "crisis/texts.py",
    "satisfaction/templates/satisfaction/messages/", "satisfaction/templates/satisfaction/_prompt.html",
    "satisfaction/templates/satisfaction/_about.html", "satisfaction/templates/satisfaction/survey.html",
    "satisfaction/templates/satisfaction/fix_check.html", "satisfaction/templates/satisfaction/thanks.html",
    "satisfaction/templates/satisfaction/answered.html", "satisfaction/templates/satisfaction/invalid.html",
    "satisfaction/templates/satisfaction/stop.html", "satisfaction/forms.py", "satisfaction/actions.py",
    "opendata/",
)
# Text that is not translated on purpose, by template, with the reason.
ALLOWED: dict[str, dict[str, str]] = {
    "opendata/templates/opendata/index.html": {
        "requests.csv": "a file name, the same in every language",
        "requests.geojson": "a file name, the same in every language",
        "schema.json": "a file name, the same in every language",
    },
}


@dataclass
class Report:
    unmarked: list[Unmarked] = field(default_factory=list)
    untranslated: list[tuple[str, Entry]] = field(default_factory=list)  # (catalogue, entry)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (catalogue, msgid) found in code, not in it
    stale: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unmarked or self.untranslated or self.missing or self.stale)


def catalogue_paths(root: Path = PACKAGE) -> list[tuple[str, Path]]:
    """(language, .po path) of every language but the source one, for each domain that has a catalogue."""
    source = settings.LANGUAGE_CODE.split("-")[0]
    paths = []
    for language, _ in settings.LANGUAGES:
        if language == source:
            continue
        for domain in DOMAINS:
            path = root / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            if path.exists() or domain == "django":
                paths.append((language, path))
    return paths


def extract(root: Path = PACKAGE) -> dict[str, list[Entry]] | None:
    """Run makemessages on a copy of the package: what the catalogues would hold today (None without xgettext)."""
    if shutil.which("xgettext") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "civicdesk"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__", "tests", "*.mo", "*.po"))
        (copy / "locale").mkdir(exist_ok=True)
        found: dict[str, list[Entry]] = {}
        for language, po in catalogue_paths(root):
            domain = po.stem
            run_makemessages(copy, language, domain)
            fresh = copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
            found[str(po.relative_to(root))] = read_po(fresh) if fresh.exists() else []
        return found


def run_makemessages(where: Path, language: str, domain: str) -> None:
    """makemessages with the options of `make messages`, run in `where` (a copy of the package directory)."""
    subprocess.run([sys.executable, "-m", "civicdesk", "makemessages", "-l", language, "-d", domain,
                    *MAKEMESSAGES_OPTIONS], cwd=where, check=True, capture_output=True)


def check(root: Path = PACKAGE, *, fresh: bool = True) -> Report:
    """Every check: unmarked template text, untranslated or fuzzy resident messages, and the compiled catalogues
    out of date; with `fresh`, also messages in the code that the catalogues do not have yet."""
    report = Report()
    allowed = {path: set(texts) for path, texts in ALLOWED.items()}
    report.unmarked = check_templates(root, RESIDENT_TEMPLATES, allowed)
    for _, po in catalogue_paths(root):
        name = str(po.relative_to(root))
        if not po.exists():
            report.stale.append(f"{name} is missing: run `make messages`.")
            continue
        entries = read_po(po)
        report.untranslated += [(name, e) for e in untranslated(entries, RESIDENT_SOURCES)]
        problem = stale_mo(po)
        if problem:
            report.stale.append(problem)
    if fresh:
        extracted = extract(root)
        if extracted is None:
            report.notes.append("xgettext not found (apt-get install gettext): new messages were not looked for.")
        else:
            for name, entries in extracted.items():
                known = {(e.msgctxt, e.msgid) for e in read_po(root / name)} if (root / name).exists() else set()
                report.missing += [(name, e.msgid) for e in entries if not e.is_header
                                   and e.files() and any(f.startswith(RESIDENT_SOURCES) for f in e.files())
                                   and (e.msgctxt, e.msgid) not in known]
    return report
