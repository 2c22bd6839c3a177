"""The composer on a case page: send a reply or an internal note, and preview exactly what the resident receives.

With HTMX, sending swaps the timeline and gives back an empty composer with a status message (the page stays where
it is); without JavaScript the form posts and the browser is sent back to the timeline.
"""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases import actions
from civicdesk.cases.models import Case
from civicdesk.conversations import drafts, public_replies, replies
from civicdesk.inbox.access import actionable_case_or_403, staff_required
from civicdesk.inbox.case_views import case_context, refuse_merged, timeline_context
from civicdesk.inbox.composer import composer_context, picked_identity, public_problem, sms_problem
from civicdesk.inbox.forms import ComposerMode, ReplyForm


def _status_text(form: ReplyForm, privately: bool = False) -> str:
    if privately:
        return gettext("A short public reply asked the resident to write to us privately. Your text was not sent: "
                       "it is kept as an internal note, to send once they write.")
    if form.is_note:
        return gettext("Internal note added. Only staff see it.")
    if form.is_public:
        return gettext("Public update posted: it is on the status page, the map and Open311, and followers get it "
                       "by email.")
    return gettext("Reply queued for delivery. It is private: only the resident sees it.")


def _perform(request: HttpRequest, case: Case, form: ReplyForm, privately: bool = False) -> Any:
    if privately:
        return public_replies.continue_privately(case, author=request.user, text=form.cleaned_data["text"],
                                                 identity=form.identity)
    if form.is_note:
        return actions.add_note(case, author=request.user, text=form.cleaned_data["text"], files=form.files_to_send)
    return replies.reply(case, author=request.user, text=form.cleaned_data["text"], public=form.is_public,
                         identity=form.identity, files=form.files_to_send)


def send(request: HttpRequest, number: str, mode: str = "") -> HttpResponse:
    """Validate the composer and send; errors keep what was written (400)."""
    case = actionable_case_or_403(request, number)
    if case.merged_into_id:
        return refuse_merged(request, case)
    form = ReplyForm(request.POST, request.FILES, case=case, mode=mode)
    privately = request.POST.get("continue_privately") == "1" and not mode
    if form.is_valid() and (problem := sms_problem(case, form, confirmed=bool(request.POST.get("confirm_segments")))):
        form.add_error("text", problem)
    privately = privately and form.is_valid() and not form.is_note
    if form.is_valid() and not privately and (problem := public_problem(case, form)):
        form.add_error("text", problem)
    if form.is_valid():
        try:
            _perform(request, case, form, privately)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            status = _status_text(form, privately)
            if request.htmx:  # type: ignore[attr-defined]
                fresh = ReplyForm(case=case)
                context = {**timeline_context(case), **composer_context(case, fresh), "status": status}
                return render(request, "inbox/_composer_sent.html", context)
            messages.success(request, status)
            return redirect(reverse("inbox:case", args=[case.number]) + "#timeline")
    if request.htmx:  # type: ignore[attr-defined]
        context = composer_context(case, form, picked_identity(form))
        return render(request, "inbox/_reply_form.html", context, status=400)
    return render(request, "inbox/case_detail.html", case_context(request, case, {"reply": form}), status=400)


@staff_required
@require_POST
def send_reply(request: HttpRequest, number: str) -> HttpResponse:
    return send(request, number)


@staff_required
@require_POST
def send_note(request: HttpRequest, number: str) -> HttpResponse:
    return send(request, number, mode=ComposerMode.NOTE)


@staff_required
@require_POST
def preview(request: HttpRequest, number: str) -> HttpResponse:
    """The reply as the resident would receive it, rendered by the code that sends it; nothing is stored."""
    case = actionable_case_or_403(request, number)
    form = ReplyForm(request.POST, request.FILES, case=case, mode=ComposerMode.REPLY)
    shown = None
    if form.is_valid():
        try:
            shown = drafts.preview(case, text=form.cleaned_data["text"], public=form.is_public,
                                   identity=form.identity,
                                   files=[(f.filename, len(f.content)) for f in form.files_to_send])
        except ValueError as exc:
            form.add_error(None, str(exc))
    status = 200 if shown is not None else 400
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "inbox/_composer_preview.html", {"preview": shown, "form": form}, status=status)
    context = case_context(request, case, {"reply": form})
    context.update(preview=shown, bound=shown is None)
    return render(request, "inbox/case_detail.html", context, status=status)


@staff_required
@require_GET
def destination(request: HttpRequest, number: str) -> HttpResponse:
    """Where a reply goes with the address picked in the composer (it changes the plain-words line)."""
    case = actionable_case_or_403(request, number)
    form = ReplyForm(case=case)
    picked = form.identities.get(str(request.GET.get("send_to") or ""))
    return render(request, "inbox/_composer_destination.html", {"case": case, **composer_context(case, form, picked)})
