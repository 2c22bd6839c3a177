"""Graph API errors in plain words for agents, which of them are final, and Meta's usage headers read as rate limits."""

import json
import re
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

RATE_LIMIT_CODES = {4, 17, 32, 613, *range(80001, 80010)}  # app, user, page, custom and business-use-case limits
USAGE_HEADERS = ("X-App-Usage", "X-Page-Usage", "X-Business-Use-Case-Usage")
PLAIN_WORDS: dict[int, Promise] = {
    10: _("Meta does not allow this message: the resident has not written within the time Meta allows replies "
          "in, or the page lacks the permission to send it."),
    100: _("Meta could not find the resident or the comment this reply answers (it may have been deleted)."),
    190: _("Meta refused the page's access token: it has expired or was revoked. An administrator must connect the "
           "page again with a new token."),
    200: _("The page's access token lacks a permission Meta requires for this (pages_messaging, "
           "pages_manage_engagement or instagram_manage_messages)."),
    368: _("Meta has temporarily blocked the page from sending for a policy reason."),
    551: _("The resident is not available on Messenger right now (they may have blocked the page or deleted their "
           "account)."),
    613: _("Meta asked us to slow down: too many calls in a short time."),
}
WINDOW_SUBCODE = 2018278  # "This message is sent outside of allowed window"
CODE_RE = re.compile(r"\(Meta error (\d+)\)\.?\s*$")
WINDOW_MARKERS = ("More than 7 days have passed", "More than 24 hours have passed", "Meta only allows replies")


class GraphError(Exception):
    """Graph's {"error": {...}} answer (or an HTTP failure without one)."""

    def __init__(self, status: int, code: int | None = None, subcode: int | None = None, message: str = "",
                 retry_after: float = 0.0) -> None:
        super().__init__(message or f"Graph API error {code} (HTTP {status})")
        self.status, self.code, self.subcode, self.message = status, code, subcode, message
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code in RATE_LIMIT_CODES

    @property
    def final(self) -> bool:
        """A 4xx Graph refuses for good (not a rate limit, not Graph's own "temporary" codes 1 and 2)."""
        return 400 <= self.status < 500 and not self.rate_limited and self.code not in (1, 2)


def from_response(status: int, body: bytes, headers: dict[str, str]) -> GraphError:
    error: dict[str, Any] = {}
    try:
        found = json.loads(body or b"{}")
        error = found.get("error") or {} if isinstance(found, dict) else {}
    except ValueError:
        pass
    code = error.get("code") if isinstance(error.get("code"), int) else None
    subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
    usage = read_usage(headers)
    return GraphError(status, code, subcode, str(error.get("message") or "")[:300],
                      retry_after=usage.retry_after or (60.0 if status == 429 or code in RATE_LIMIT_CODES else 0.0))


def plain_error(error: GraphError) -> str:
    """A sentence an agent understands, ending with Meta's code: "... (Meta error 551)."."""
    if error.code == 10 and error.subcode == WINDOW_SUBCODE:
        reason = gettext("Meta refused the message because it is outside the reply window Meta allows")
    elif error.code in PLAIN_WORDS:
        reason = str(PLAIN_WORDS[error.code]).rstrip(".")
    elif error.message:
        reason = gettext("Meta reported: %(message)s") % {"message": error.message.rstrip(".")}
    else:
        reason = gettext("Meta refused the message (HTTP %(status)s)") % {"status": error.status}
    if error.code is None:
        return f"{reason}."
    return gettext("%(reason)s (Meta error %(code)s).") % {"reason": reason, "code": error.code}


def as_clause(error: str) -> str:
    """A failure written here (plain_error, or a reply window's refusal) as a clause for "The Facebook message ...
    could not be delivered: <clause>."; "" when `error` is not one of ours."""
    text = (error or "").strip()
    if text.startswith(WINDOW_MARKERS):
        if text.startswith("More than 7 days"):
            return gettext("Meta's reply window had closed (more than 7 days since the resident last wrote)")
        if text.startswith("More than 24 hours"):
            return gettext("Meta allows no automatic message more than 24 hours after the resident last wrote")
        return gettext("Meta allows replies only to people who wrote to the page first")
    if not CODE_RE.search(text):
        return ""
    text = text.rstrip(".")
    return text if text.startswith("Meta") else text[:1].lower() + text[1:]


class Usage:
    """What Meta's usage headers say: the highest percentage of any allowance used, and when access returns."""

    def __init__(self, percent: float | None = None, regain_minutes: float = 0.0) -> None:
        self.percent, self.regain_minutes = percent, regain_minutes

    @property
    def retry_after(self) -> float:
        return self.regain_minutes * 60

    def reset_at(self, now: datetime | None = None) -> datetime | None:
        if not self.regain_minutes:
            return None
        return (now or timezone.now()) + timedelta(minutes=self.regain_minutes)


def _percentages(found: Any) -> list[tuple[float, float]]:
    """(highest percentage, minutes to regain access) of each usage object in a header value."""
    if isinstance(found, list):
        return [pair for item in found for pair in _percentages(item)]
    if not isinstance(found, dict):
        return []
    if any(isinstance(value, list) for value in found.values()):  # X-Business-Use-Case-Usage: {id: [..]}
        return [pair for value in found.values() for pair in _percentages(value)]
    regain_key = "estimated_time_to_regain_access"
    numbers = [float(v) for k, v in found.items() if isinstance(v, int | float) and not isinstance(v, bool)
               and k != regain_key]
    regain = found.get(regain_key)
    return [(max(numbers, default=0.0), float(regain) if isinstance(regain, int | float) else 0.0)]


def read_usage(headers: dict[str, str]) -> Usage:
    """X-App-Usage {"call_count": 28, "total_time": 25, ...}, X-Business-Use-Case-Usage {"<id>": [{...,
    "estimated_time_to_regain_access": 0}]}; headers absent or unreadable: nothing known."""
    lowered = {name.lower(): value for name, value in headers.items()}
    found: list[tuple[float, float]] = []
    for name in USAGE_HEADERS:
        value = lowered.get(name.lower())
        if not value:
            continue
        try:
            found.extend(_percentages(json.loads(value)))
        except ValueError:
            continue
    if not found:
        return Usage()
    return Usage(max(p for p, _ in found), max(m for _, m in found))
