"""The staff case page: the whole timeline, live updates, attachments, and one small POST form per action."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases import actions
from civicdesk.cases.models import Attachment, Case, CaseStatus, Priority
from civicdesk.cases.permissions import can_act, visible_cases
from civicdesk.cases.queries import case_change_marker, case_timeline
from civicdesk.inbox.access import actionable_case_or_403, staff_required, visible_case_or_404
from civicdesk.inbox.composer import composer_context, picked_identity
from civicdesk.inbox.forms import (
    AssignForm,
    LinkForm,
    MergeForm,
    PriorityForm,
    ReplyForm,
    StatusForm,
    TagsForm,
    TransferForm,
)
from civicdesk.inbox.presence import HEARTBEAT_SECONDS, others_present
from civicdesk.inbox.queries import case_from_number
from civicdesk.inbox.timeline import annotate_events

INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def timeline_context(case: Case) -> dict[str, Any]:
    """What the live parts of the page show: summary facts and timeline, in a fixed number of queries."""
    return {
        "case": case,
        "timeline": annotate_events(case_timeline(case)),
        "tags": list(case.tags.all()),
        "related": list(case.related.order_by("number").only("number", "subject", "status")),
        "merged_duplicates": list(case.merged.order_by("number")),
        "transfers": list(case.transfers.select_related("from_agency", "to_agency", "by")),
        "marker": case_change_marker(case),
        "status_label": CaseStatus(case.status).label,
        "priority_label": Priority(case.priority).label,
    }


def case_context(request: HttpRequest, case: Case, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    context = timeline_context(case)
    tags = ", ".join(t.name for t in context["tags"])
    action_forms: dict[str, forms.Form] = {
        "reply": ReplyForm(case=case), "assign": AssignForm(case=case),
        "status": StatusForm(initial={"status": case.status}),
        "priority": PriorityForm(initial={"priority": case.priority}),
        "tags": TagsForm(initial={"tags": tags}), "transfer": TransferForm(case=case), "merge": MergeForm(),
        "link": LinkForm(),
    }
    action_forms.update(bound or {})
    context.update({
        "forms": action_forms, "can_act": can_act(request.user, case), "bound": bool(bound),
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
    return render(request, "inbox/_case_live.html", timeline_context(case))


@staff_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """Attachments are served only through this check of case visibility, never from a public MEDIA URL."""
    attachment = Attachment.objects.select_related("message").filter(pk=pk).first()
    if attachment is None or not visible_cases(request.user).filter(pk=attachment.message.case_id).exists():
        raise Http404("No such attachment.")
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404("The file is missing.") from exc
    inline = attachment.content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=attachment.filename,
                            content_type=attachment.content_type if inline else "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response


Perform = Callable[[HttpRequest, Case, Any], str]
FormFactory = Callable[[QueryDict, Case], forms.Form]


def _run_action(request: HttpRequest, number: str, name: str, make_form: FormFactory, perform: Perform) -> HttpResponse:
    """Validate one form, call one action, redirect back; errors re-render the page with the form bound (400)."""
    case = actionable_case_or_403(request, number)
    form = make_form(request.POST, case)
    if form.is_valid():
        try:
            done = perform(request, case, form)
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, done)
            return redirect("inbox:case", number=case.number)
    response = render(request, "inbox/case_detail.html", case_context(request, case, {name: form}), status=400)
    return response


def _assign(request: HttpRequest, case: Case, form: AssignForm) -> str:
    actions.assign(case, actor=request.user, assignee=form.cleaned_data["assignee"], team=form.cleaned_data["team"])
    return "Assignment saved."


def _status(request: HttpRequest, case: Case, form: StatusForm) -> str:
    actions.change_status(case, actor=request.user, status=form.cleaned_data["status"])
    return f"Status is now {CaseStatus(case.status).label}."


def _priority(request: HttpRequest, case: Case, form: PriorityForm) -> str:
    actions.set_priority(case, actor=request.user, priority=form.cleaned_data["priority"])
    return f"Priority is now {Priority(case.priority).label}."


def _tags(request: HttpRequest, case: Case, form: TagsForm) -> str:
    actions.set_tags(case, actor=request.user, names=form.names())
    return "Tags saved."


def _transfer(request: HttpRequest, case: Case, form: TransferForm) -> str:
    agency = form.cleaned_data["to_agency"]
    actions.transfer(case, actor=request.user, to_agency=agency, reason=form.cleaned_data["reason"])
    return f"Case transferred to {agency.name}."


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
    "assign": (lambda data, case: AssignForm(data, case=case), _assign),
    "status": (lambda data, case: StatusForm(data), _status),
    "priority": (lambda data, case: PriorityForm(data), _priority),
    "tags": (lambda data, case: TagsForm(data), _tags),
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
