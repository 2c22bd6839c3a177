"""The public pages a question links to: the survey, "Is it fixed?" and "no more surveys", by the token in the URL.

No account: the random token is the credential, and it works once (an answered question shows a 409 page). A page
shows only the case number and subject the resident already knows. Answers are rate limited per client address
like the portal's forms; every refusal is a clear 4xx page, never a 500. The page speaks the language the
question was asked in, unless the visitor chose one with the language switcher.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from civicdesk.satisfaction import actions, queries
from civicdesk.satisfaction.forms import FixCheckForm, SurveyForm
from civicdesk.satisfaction.models import AskStatus, FixCheck, Survey
from civicdesk.web.ratelimit import count_client_hit, limit_message, with_retry_after


def _speak(request: HttpRequest, ask: Survey | FixCheck) -> None:
    """The question's language, unless the visitor chose one (the language switcher's cookie)."""
    if ask.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(ask.language)
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "satisfaction/invalid.html", status=404)


def _answered(request: HttpRequest, ask: Survey | FixCheck, kind: str) -> HttpResponse:
    return render(request, "satisfaction/answered.html", {"ask": ask, "case": ask.case, "kind": kind}, status=409)


def _limited(request: HttpRequest) -> Any:
    return count_client_hit(request, "survey-answer", limit=settings.SURVEY_ANSWERS_PER_HOUR, window_seconds=3600)


@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest, token: str) -> HttpResponse:
    found = queries.survey_for_token(token)
    if found is None or found.status == AskStatus.SKIPPED:
        return _invalid(request)
    _speak(request, found)
    if found.status != AskStatus.SENT:
        return _answered(request, found, "survey")
    context: dict[str, Any] = {"survey": found, "case": found.case, "token": token}
    if request.method != "POST":
        initial = {"score": request.GET["score"]} if request.GET.get("score") in {"1", "2", "3", "4", "5"} else {}
        return render(request, "satisfaction/survey.html", {**context, "form": SurveyForm(initial=initial)})
    form = SurveyForm(request.POST)
    hits = _limited(request)
    if not hits.allowed:
        form.is_valid()
        return with_retry_after(render(request, "satisfaction/survey.html", {
            **context, "form": form, "refused": limit_message(hits)}, status=429), hits)
    if not form.is_valid():
        return render(request, "satisfaction/survey.html", {**context, "form": form}, status=400)
    try:
        actions.answer_survey(found, score=int(form.cleaned_data["score"]), comment=form.cleaned_data["comment"])
    except actions.AlreadyAnswered:
        return _answered(request, found, "survey")
    return render(request, "satisfaction/thanks.html", {**context, "kind": "survey"})


@require_http_methods(["GET", "POST"])
def fix_check(request: HttpRequest, token: str) -> HttpResponse:
    found = queries.fix_check_for_token(token)
    if found is None or found.status not in (AskStatus.SENT, AskStatus.ANSWERED):
        return _invalid(request)
    _speak(request, found)
    if found.status != AskStatus.SENT:
        return _answered(request, found, "fix_check")
    context: dict[str, Any] = {"check": found, "case": found.case, "token": token}
    if request.method != "POST":
        initial = {"fixed": request.GET["fixed"]} if request.GET.get("fixed") in {"yes", "no"} else {}
        return render(request, "satisfaction/fix_check.html", {**context, "form": FixCheckForm(initial=initial)})
    form = FixCheckForm(request.POST)
    hits = _limited(request)
    if not hits.allowed:
        form.is_valid()
        return with_retry_after(render(request, "satisfaction/fix_check.html", {
            **context, "form": form, "refused": limit_message(hits)}, status=429), hits)
    if not form.is_valid():
        return render(request, "satisfaction/fix_check.html", {**context, "form": form}, status=400)
    fixed = form.cleaned_data["fixed"] == "yes"
    try:
        actions.answer_fix_check(found, fixed=fixed, comment=form.cleaned_data["comment"])
    except actions.AlreadyAnswered:
        return _answered(request, found, "fix_check")
    return render(request, "satisfaction/thanks.html", {**context, "kind": "fix_check", "fixed": fixed})


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links); POST stops every later survey and "Is it fixed?" question."""
    found = queries.survey_for_token(token) or queries.fix_check_for_token(token)
    if found is None or found.contact is None or found.status == AskStatus.SKIPPED:
        return _invalid(request)
    _speak(request, found)
    done = request.method == "POST"
    if done:
        actions.stop_surveys(found.contact)
    return render(request, "satisfaction/stop.html", {"token": token, "done": done})
