"""Sentences for SMS consent on a case's trail: opt-outs of one of our numbers, keyword texts, flagged requests."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext

from civicdesk.audit.models import AuditEntry
from civicdesk.inbox import trail_sentences
from civicdesk.inbox.wording import Names, Sentence, with_actor


def _sender(e: AuditEntry) -> str:
    return str((e.after or {}).get("sender") or "") or gettext("our number")


def opted_out(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    if "account" not in after:  # a channel-wide opt-out a provider reported
        return trail_sentences.opted_out(e, names, by)
    values = {"sender": _sender(e), "keyword": after.get("keyword") or ""}
    if after.get("source") == "staff":
        return Sentence(with_actor(by, gettext("%(name)s confirmed the resident's request to stop texts: no more "
                                               "texts go to them from %(sender)s"),
                                   gettext("The resident's request to stop texts was confirmed: no more texts go to "
                                           "them from %(sender)s"), **values))
    return Sentence(gettext("The resident texted %(keyword)s: no more texts go to them from %(sender)s") % values)


def opted_in(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    if "account" not in after:
        return trail_sentences.opted_in(e, names, by)
    return Sentence(gettext("The resident texted %(keyword)s: texts from %(sender)s may go to them again") % {
        "sender": _sender(e), "keyword": after.get("keyword") or ""})


def keyword_text(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    values = {"sender": _sender(e), "keyword": after.get("keyword") or ""}
    if after.get("answered"):
        return Sentence(gettext("The resident texted %(keyword)s to %(sender)s and got the automatic answer") % values)
    return Sentence(gettext("The resident texted %(keyword)s to %(sender)s; nothing was sent back, as the number "
                            "has opted out of it") % values)


def stop_request_flagged(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    try:
        due = date_format(date.fromisoformat(str(after.get("due_on"))), "DATE_FORMAT")
    except ValueError:
        due = str(after.get("due_on") or "")
    return Sentence(gettext("A text reads as a request to stop texts (“%(phrase)s”): confirm or dismiss it by "
                            "%(due)s") % {"phrase": after.get("phrase") or "", "due": due})


def stop_request_dismissed(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(with_actor(by, gettext("%(name)s dismissed the flagged request to stop texts"),
                               gettext("The flagged request to stop texts was dismissed")), detail=e.reason)
