"""Template tags: the resident's prompt (status page, end of a chat) and the staff case page's feedback section."""

from typing import Any

from django import template

from civicdesk.cases.models import Case
from civicdesk.satisfaction import queries
from civicdesk.satisfaction.forms import SCORES
from civicdesk.satisfaction.models import asked_how

register = template.Library()


@register.inclusion_tag("satisfaction/_prompt.html", takes_context=True)
def resident_prompt(context: template.Context, case: Case, heading: str = "h2") -> dict[str, Any]:
    """The case's open survey (a 1-5 rating posting to the survey page) and open "Is it fixed?" question, for the
    resident's own pages only: their verified status page and their chat."""
    return {"survey": queries.open_survey(case), "check": queries.open_fix_check(case), "scores": SCORES,
            "heading": heading if heading in ("h2", "h3") else "h2", "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("satisfaction/_case_feedback.html")
def case_feedback(case: Case) -> dict[str, Any]:
    """What the resident said: the survey's score, comment and time, and the answer to "Is it fixed?"."""
    survey, check = queries.feedback_of(case)
    return {"survey": survey, "check": check, "survey_how": asked_how(survey.channel) if survey else "",
            "check_how": asked_how(check.channel) if check else ""}
