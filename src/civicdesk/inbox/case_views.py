"""The staff case page: the whole timeline, live updates, attachments, the sidebar that saves in place, and the
less frequent actions (transfer, link, merge)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases import actions, transfers
from civicdesk.cases.models import Attachment, Case, CaseStatus, Priority
from civicdesk.cases.permissions import can_act, visible_cases
from civicdesk.cases.queries import case_change_marker, case_timeline
from civicdesk.conversations.consent import opted_out_senders
from civicdesk.conversations.stop_requests import pending_for
from civicdesk.inbox.access import actionable_case_or_403, staff_required, visible_case_or_404
from civicdesk.inbox.composer import composer_context, picked_identity
from civicdesk.inbox.forms import LinkForm, MergeForm, ReplyForm, TransferForm
from civicdesk.inbox.photos import INLINE_TYPES, photos_of, thumbnail_response
from civicdesk.inbox.presence import HEARTBEAT_SECONDS, others_present
from civicdesk.inbox.queries import case_from_number
from civicdesk.inbox.sidebar import (
    FORM_FACTORIES,
    PERFORMERS,
    SIDEBAR_ACTIONS,
    keep_notice,
    pop_notice,
    sidebar_forms,
)
from civicdesk.inbox.timeline import annotate_events
from civicdesk.inbox.transfer_views import transfer_request_context


def summary_context(case: Case) -> dict[str, Any]:
    """What the sidebar's facts show, in a fixed number of queries."""
    return {
        "case": case,
        "tags": list(case.tags.all()),
        "related": list(case.related.order_by("number").only("number", "subject", "status")),
        "merged_duplicates": list(case.merged.order_by("number")),
        "transfers": list(case.transfers.select_related("from_agency", "to_agency", "by", "request__decided_by")),
        "status_label": CaseStatus(case.status).label,
        "priority_label": Priority(case.priority).label,
        "sms_opt_outs": opted_out_senders(case.contact_id),
    }


def timeline_context(case: Case) -> dict[str, Any]:
    """What the live parts of the page show: summary facts and timeline, in a fixed number of queries."""
    timeline = annotate_events(case_timeline(case))
    return {**summary_context(case), "timeline": timeline, "photos": photos_of(timeline),
            "marker": case_change_marker(case)}


def sidebar_context(request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    """The sidebar's forms and whether they show: a merged-away case, or one of another agency, is read-only."""
    may_act = not case.merged_into_id and can_act(request.user, case)
    sidebar = sidebar_forms(case) if may_act else {}
    sidebar.update({name: form for name, form in (bound or {}).items() if name in SIDEBAR_ACTIONS})
    return {"can_act": may_act, "sidebar": sidebar}


def case_context(request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    context = timeline_context(case)
    context.update(sidebar_context(request, case, bound))
    action_forms: dict[str, forms.Form] = {
        "reply": ReplyForm(case=case), "transfer": TransferForm(case=case), "merge": MergeForm(),
        "link": LinkForm(), **context["sidebar"],
    }
    action_forms.update(bound or {})
    context.update({
        "forms": action_forms, "bound": bool(bound),
        "notice": pop_notice(request, case), **transfer_request_context(request, case),
        "stop_requests": pending_for(case), "today": timezone.localdate(),
    })
    reply_form = action_forms["reply"]
    assert isinstance(reply_form, ReplyForm)
    if context["can_act"]:
        context.update(composer_context(case, reply_form, picked_identity(reply_form)))
    context.update(present=others_present(case, request.user), presence_seconds=HEARTBEAT_SECONDS)
    return context


@staff_required
@require_GET
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = visible_case_or_404(request, number)
    return render(request, "inbox/case_detail.html", case_context(request, case))


@staff_required
@require_GET
def case_live(request: HttpRequest, number: str) -> HttpResponse:
    """204 while the case, its messages and its trail are unchanged; otherwise fresh summary and timeline."""
    case = visible_case_or_404(request, number)
    if case_change_marker(case) == request.GET.get("marker"):
        return HttpResponse(status=204)
    return render(request, "inbox/_case_live.html", {**timeline_context(case), **sidebar_context(request, case)})


@staff_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Attachments are served only through this check of case visibility, never from a public MEDIA URL."""
    attachment = Attachment.objects.select_related("message").filter(pk=pk).first()
    if attachment is None or not visible_cases(request.user).filter(pk=attachment.message.case_id or 0).exists():
        raise Http404("No such attachment.")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing.") from exc
    inline = attachment.content_type in INLINE_TYPES
    if inline and request.GET.get("size") == "thumb":
        return thumbnail_response(attachment, handle)
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.filename,
                            content_type=attachment.content_type if inline else "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


Perform = Callable[[HttpRequest, Case, Any], str]
FormFactory = Callable[[QueryDict, Case], forms.Form]


def refuse_merged(request: HttpRequest, case: Case) -> HttpResponse:
    """Every action on a merged-away case: nothing changes, and the page (or the sidebar) says where to go."""
    text = gettext("%(number)s was merged into %(survivor)s and is read-only: make changes on %(survivor)s. "
                   "Nothing was changed.") % {"number": case.number, "survivor": case.merged_into}
    if request.htmx:  # type: ignore[attr-defined]
        context = {**summary_context(case), **sidebar_context(request, case), "notice": {"text": text, "error": True}}
        return render(request, "inbox/_sidebar_saved.html", context, status=409)
    context = case_context(request, case)
    context["refused"] = text
    return render(request, "inbox/case_detail.html", context, status=409)


def _sidebar_response(request: HttpRequest, case: Case, name: str, form: forms.Form, done: str | None) -> HttpResponse:
    """A sidebar save: with htmx the fresh sidebar and its confirmation; without, a redirect back to the sidebar."""
    if done is not None and not request.htmx:  # type: ignore[attr-defined]
        keep_notice(request, case, done)
        return redirect(reverse("inbox:case", args=[case.number]) + "#case-details")
    if done is None and not request.htmx:  # type: ignore[attr-defined]
        return render(request, "inbox/case_detail.html", case_context(request, case, {name: form}), status=400)
    if done is None:
        errors = [str(e) for e in form.non_field_errors()] + [
            f"{form[field].label}: {error}" for field, field_errors in form.errors.items() if field != "__all__"
            for error in field_errors]
        notice = {"text": gettext("Not saved. %(errors)s") % {"errors": " ".join(errors)}, "error": True}
    else:
        case.refresh_from_db()
        notice = {"text": done, "error": False}
    bound = {name: form} if done is None else None
    context = {**summary_context(case), **sidebar_context(request, case, bound), "notice": notice}
    return render(request, "inbox/_sidebar_saved.html", context, status=200 if done is not None else 400)


def _run_action(request: HttpRequest, number: str, name: str, make_form: FormFactory, perform: Perform) -> HttpResponse:
    """Validate one form, call one action, redirect back; errors re-render the page with the form bound (400).
    Sidebar fields answer htmx with the sidebar alone."""
    case = actionable_case_or_403(request, number)
    if case.merged_into_id:
        return refuse_merged(request, case)
    form = make_form(request.POST, case)
    done = None
    if form.is_valid():
        try:
            done = perform(request, case, form)
        except ValueError as exc:
            form.add_error(None, str(exc))
    if name in SIDEBAR_ACTIONS:
        return _sidebar_response(request, case, name, form, done)
    if done is not None:
        messages.success(request, done)
        return redirect("inbox:case", number=case.number)
    return render(request, "inbox/case_detail.html", case_context(request, case, {name: form}), status=400)


def _transfer(request: HttpRequest, case: Case, form: TransferForm) -> str:
    agency = form.cleaned_data["to_agency"]
    pending = transfers.transfer_or_request(case, actor=request.user, to_agency=agency,
                                          reason=form.cleaned_data["reason"])
    if pending is not None:
        return gettext("Transfer to %(to)s requested: a supervisor of %(from)s approves or rejects it.") % {
            "to": agency.name, "from": case.agency.name}
    return gettext("Case transferred to %(agency)s.") % {"agency": agency.name}


def _other_case(request: HttpRequest, form: forms.Form, *, must_act: bool) -> Case:
    other = case_from_number(request.user, form.cleaned_data["number"])
    if other is None or (must_act and not can_act(request.user, other)):
        verb = "change" if must_act else "see"
        raise ValueError(f"There is no case {form.cleaned_data['number']} that you can {verb}.")
    return other


def _merge(request: HttpRequest, case: Case, form: MergeForm) -> str:
    survivor = _other_case(request, form, must_act=True)
    actions.merge_cases(case, survivor, actor=request.user)
    return f"Merged into {survivor.number}."


def _link(request: HttpRequest, case: Case, form: LinkForm) -> str:
    other = _other_case(request, form, must_act=False)
    actions.link_cases(case, other, actor=request.user)
    return f"Linked to {other.number}."


ACTIONS: dict[str, tuple[FormFactory, Perform]] = {
    **{name: (FORM_FACTORIES[name], PERFORMERS[name]) for name in SIDEBAR_ACTIONS},
    "transfer": (lambda data, case: TransferForm(data, case=case), _transfer),
    "merge": (lambda data, case: MergeForm(data), _merge),
    "link": (lambda data, case: LinkForm(data), _link),
}


@staff_required
@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404("No such action.")
    make_form, perform = ACTIONS[action]
    return _run_action(request, number, action, make_form, perform)
