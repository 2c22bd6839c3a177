"""Sentences for the satisfaction trail: a survey sent (or not, and why), "Is it fixed?" asked, and the answers."""

from collections.abc import Callable

from django.utils.translation import gettext

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.inbox.wording import Names, Sentence
from civicdesk.satisfaction.models import SkipReason, asked_how


def _skipped(value: object) -> str:
    return str(SkipReason(str(value)).label) if value in SkipReason.values else gettext("no reason recorded")


def survey(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    if after.get("skipped"):
        return Sentence(gettext("No satisfaction survey was sent: %(reason)s") % {
            "reason": _skipped(after["skipped"])})
    how = asked_how(str(after.get("channel") or ""))
    if not how:
        return Sentence(gettext("Satisfaction survey sent to the resident"))
    return Sentence(gettext("Satisfaction survey sent to the resident %(how)s") % {"how": how})


def survey_answered(e: AuditEntry, names: Names, by: str) -> Sentence:
    score = (e.after or {}).get("score")
    if not isinstance(score, int):
        return Sentence(gettext("The resident answered the satisfaction survey"), detail=e.reason)
    return Sentence(gettext("The resident rated the handling of this case %(score)s out of 5") % {"score": score},
                    detail=e.reason)


def fix_check(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    if after.get("skipped"):
        return Sentence(gettext("The resident was not asked whether the problem is fixed: %(reason)s") % {
            "reason": _skipped(after["skipped"])})
    how = asked_how(str(after.get("channel") or ""))
    if not how:
        return Sentence(gettext("The resident was asked whether the problem is fixed"))
    return Sentence(gettext("The resident was asked %(how)s whether the problem is fixed") % {"how": how})


def fix_check_answered(e: AuditEntry, names: Names, by: str) -> Sentence:
    if (e.after or {}).get("fixed"):
        return Sentence(gettext("Asked whether the problem is fixed, the resident answered yes"), detail=e.reason)
    return Sentence(gettext("Asked whether the problem is fixed, the resident answered no"), detail=e.reason)


SURVEY_DESCRIBERS: dict[str, Callable[[AuditEntry, Names, str], Sentence]] = {
    AuditAction.SURVEY: survey, AuditAction.SURVEY_ANSWERED: survey_answered,
    AuditAction.FIX_CHECK: fix_check, AuditAction.FIX_CHECK_ANSWERED: fix_check_answered,
}
