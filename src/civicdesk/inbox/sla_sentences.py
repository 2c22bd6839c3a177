"""Sentences of the SLA trail: a target close to its due time, and a target missed (slas.sweep writes both)."""

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.inbox.wording import Names, Sentence

TARGET_WORDS = {"first_response": gettext_noop("first response"), "next_response": gettext_noop("next response"),
                "resolution": gettext_noop("resolution")}


def _target(e: AuditEntry) -> str:
    kind = str((e.after or {}).get("kind", ""))
    return gettext(TARGET_WORDS[kind]) if kind in TARGET_WORDS else gettext("response or resolution")


def _due(e: AuditEntry) -> str:
    raw = (e.after or {}).get("due_at")
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        return ""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def sla_warning(e: AuditEntry, names: Names, by: str) -> Sentence:
    due = _due(e)
    if due:
        return Sentence(gettext("The %(target)s target is close: it is due %(due)s") % {"target": _target(e),
                                                                                        "due": due})
    return Sentence(gettext("The %(target)s target is close") % {"target": _target(e)})


def sla_breached(e: AuditEntry, names: Names, by: str) -> Sentence:
    due = _due(e)
    if due:
        return Sentence(gettext("The %(target)s target was missed: it was due %(due)s") % {"target": _target(e),
                                                                                           "due": due})
    return Sentence(gettext("The %(target)s target was missed") % {"target": _target(e)})


SLA_DESCRIBERS: dict[str, Callable[[AuditEntry, Names, str], Sentence]] = {
    AuditAction.SLA_WARNING: sla_warning, AuditAction.SLA_BREACHED: sla_breached}
