"""@username mentions in internal notes: the handles a note names, and the note's text with known staff linked.

A handle is a staff member's username, matched without regard to case: `@agent.publicworks`, `@Sam`. It starts
after a space or punctuation (so rosa@example.com is no mention) and a trailing dot or comma ends it ("thanks
@sam."). A handle that names no active staff member is left as plain text.
"""

import re
from collections.abc import Mapping
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MENTION = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")
MAX_MENTIONS = 20  # more handles than this in one note are not looked up


def handles(text: str) -> list[str]:
    """The distinct handles of a text, lower-cased, in order of first mention."""
    found = dict.fromkeys(match.group(1).lower() for match in MENTION.finditer(text or ""))
    return list(found)[:MAX_MENTIONS]


def staff_cases_url(user_id: int) -> str:
    """Where a linked mention leads: the inbox's cases assigned to that staff member."""
    return reverse("inbox:inbox") + "?" + urlencode({"view": "all", "assignee": user_id})


def linked(text: str, staff: Mapping[str, int]) -> SafeString:
    """The text, escaped, with each handle of known staff (`staff`: lower-cased username -> user id) as a link."""
    parts: list[str] = []
    end = 0
    for match in MENTION.finditer(text or ""):
        user_id = staff.get(match.group(1).lower())
        if user_id is None:
            continue
        parts.append(escape(text[end:match.start()]))
        parts.append(f'<a class="cd-mention" href="{escape(staff_cases_url(user_id))}">{escape(match.group(0))}</a>')
        end = match.end()
    parts.append(escape((text or "")[end:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
