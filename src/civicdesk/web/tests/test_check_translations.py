"""`civicdesk check-translations` (make lint): unmarked template text, untranslated or fuzzy resident messages,
and compiled catalogues out of date are all caught; staff-only messages are not its business."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from civicdesk.web import resident_text
from civicdesk.web.catalogue import parse_po
from civicdesk.web.resident_text import PACKAGE, check
from civicdesk.web.unmarked import unmarked_text

PO_HEADER = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

'''


def test_text_outside_translation_tags_is_found_with_its_line() -> None:
    source = ('{% load i18n %}<h1>{% translate "Hello" %}</h1>\n'
              '<p>{% blocktranslate %}Hi {{ name }}{% endblocktranslate %} {{ count }} &middot; 3 m</p>\n'
              '<p title="Close">Send request</p>\n'
              '{% comment %}Not shown{% endcomment %}<a href="{% url \'x\' %}" aria-label="{{ label }}">x</a>\n'
              '<button>{% if ok %}Error: {% endif %}{{ service }}</button>\n'
              '<script>var message = "not text";</script><img alt="{% translate "Pin" %}">')
    assert unmarked_text(source) == [(3, "title='Close'"), (3, "Send request"), (5, "Error: …")]


def test_plain_text_templates_are_checked_line_by_line() -> None:
    source = '{% load i18n %}[{{ case.number }}] {% translate "Your request" %}\nThank you.\n{{ text }}'
    assert unmarked_text(source, html=False) == [(2, "Thank you.")]


def test_the_catalogue_reader_keeps_plurals_flags_and_locations() -> None:
    entries = parse_po(PO_HEADER + '''#: portal/views.py:12 gis/views.py
#, fuzzy, python-format
msgid "%(n)d photo"
msgid_plural "%(n)d photos"
msgstr[0] "%(n)d foto"
msgstr[1] ""

#: templates/base.html
msgid ""
"Two "
"lines \\"quoted\\"\\n"
msgstr "Dos líneas"
''')
    header, photo, lines = entries
    assert header.is_header and not photo.is_translated and photo.is_fuzzy
    assert photo.files() == ["portal/views.py", "gis/views.py"] and photo.msgstr == {0: "%(n)d foto", 1: ""}
    assert lines.msgid == 'Two lines "quoted"\n' and lines.is_translated and not lines.is_fuzzy


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny package with one resident template and one staff template, and a Spanish catalogue."""
    root = tmp_path / "civicdesk"
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "base.html").write_text('{% load i18n %}<p>{% translate "Hello" %}</p>')
    (root / "inbox" / "templates").mkdir(parents=True)
    (root / "inbox" / "templates" / "staff.html").write_text("<p>Staff only, not checked</p>")
    messages = root / "locale" / "es" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    write_po(messages / "django.po", {"Hello": ("templates/base.html", "Hola", ""),
                                      "Inbox": ("inbox/views.py", "", "")})
    monkeypatch.setattr(resident_text, "RESIDENT_TEMPLATES", ["templates/**/*.html"])
    return root


def write_po(path: Path, entries: dict[str, tuple[str, str, str]], *, compile_mo: bool = True) -> None:
    text = PO_HEADER + "".join(
        f'#: {where}\n{"#, fuzzy" + chr(10) if flag else ""}msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'
        for msgid, (where, msgstr, flag) in entries.items())
    path.write_text(text)
    if compile_mo:
        compile_catalogue(path)


def compile_catalogue(po: Path) -> None:
    """What `make messages` does (GNU msgfmt); Python's catalogue reader checks the result either way."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    subprocess.run(["msgfmt", "-o", str(po.with_suffix(".mo")), str(po)], check=True)


def test_a_translated_package_passes_and_staff_messages_need_no_translation(package: Path) -> None:
    report = check(package, fresh=False)
    assert report.ok, report


def test_unmarked_resident_text_fails(package: Path) -> None:
    (package / "templates" / "base.html").write_text('{% load i18n %}<p>{% translate "Hello" %}</p>\n<p>Goodbye</p>')
    report = check(package, fresh=False)
    assert [str(u) for u in report.unmarked] == ["templates/base.html:2: unmarked text 'Goodbye'"]


def test_allowed_text_passes_only_where_it_is_allowed(package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (package / "templates" / "base.html").write_text("<p>Riverbend</p>")
    monkeypatch.setattr(resident_text, "ALLOWED", {"templates/base.html": {"Riverbend": "the city's own name"}})
    assert check(package, fresh=False).ok


@pytest.mark.parametrize(("msgstr", "flag"), [("", ""), ("Hola", "fuzzy")])
def test_an_untranslated_or_fuzzy_resident_message_fails(package: Path, msgstr: str, flag: str) -> None:
    write_po(package / "locale" / "es" / "LC_MESSAGES" / "django.po",
             {"Hello": ("templates/base.html", msgstr, flag)})
    report = check(package, fresh=False)
    assert [entry.msgid for _, entry in report.untranslated] == ["Hello"]


def test_a_compiled_catalogue_older_than_its_po_fails(package: Path) -> None:
    po = package / "locale" / "es" / "LC_MESSAGES" / "django.po"
    write_po(po, {"Hello": ("templates/base.html", "Buenas", "")}, compile_mo=False)
    assert "does not match django.po" in check(package, fresh=False).stale[0]
    po.with_suffix(".mo").unlink()
    assert "is missing" in check(package, fresh=False).stale[0]


def test_the_real_project_passes_and_the_command_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """The committed catalogues cover every resident-facing message (what `make lint` checks)."""
    report = check(PACKAGE, fresh=False)
    assert not report.unmarked, report.unmarked
    assert not report.untranslated, [entry.msgid for _, entry in report.untranslated]
    assert not report.stale, report.stale
    call_command("check_translations", "--no-extract")
    assert "all marked and translated" in capsys.readouterr().out


def test_the_command_fails_on_a_problem(package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (package / "templates" / "base.html").write_text("<p>Goodbye</p>")
    monkeypatch.setattr(resident_text, "PACKAGE", package)
    monkeypatch.setattr("civicdesk.runtime.management.commands.check_translations.check",
                        lambda fresh: check(package, fresh=False))
    with pytest.raises(CommandError, match="not fully translated"):
        call_command("check_translations", "--no-extract")


def test_a_message_marked_in_the_code_but_not_in_the_catalogue_yet_fails(package: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed")
    (package / "templates" / "base.html").write_text(
        '{% load i18n %}<p>{% translate "Hello" %}</p><p>{% translate "New words" %}</p>')
    (package / "inbox" / "templates" / "staff.html").write_text('{% load i18n %}{% translate "Staff words" %}')
    report = check(package, fresh=True)
    assert report.missing == [("locale/es/LC_MESSAGES/django.po", "New words")]  # not the staff-only one
