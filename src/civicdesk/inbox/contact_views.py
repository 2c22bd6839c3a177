"""Staff contact pages: a contact's identities, cases and history, and merging two contacts with undo."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.audit.models import AuditEntry
from civicdesk.cases.permissions import visible_cases
from civicdesk.contacts.actions import MergeOutOfReach, merge_contacts, undo_contact_merge
from civicdesk.contacts.models import Contact, ContactMerge
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.forms import ContactMergeForm
from civicdesk.inbox.queries import visible_contacts

CASES_SHOWN = 100


def visible_contact_or_404(request: HttpRequest, pk: int) -> Contact:
    contact = visible_contacts(request.user).select_related("merged_into").filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


def contact_context(request: HttpRequest, contact: Contact, form: ContactMergeForm | None = None) -> dict[str, Any]:
    cases = (visible_cases(request.user).filter(contact=contact)
             .select_related("agency", "service").order_by("-created_at")[:CASES_SHOWN])
    merges = ContactMerge.objects.select_related("source", "target", "merged_by", "undone_by").order_by("-merged_at")
    return {
        "contact": contact,
        "identities": list(contact.identities.order_by("kind", "value")),
        "cases": list(cases),
        "cases_limit": CASES_SHOWN,
        "history": list(AuditEntry.objects.filter(contact=contact).select_related("actor").order_by("-at", "-id")),
        "merges_in": list(merges.filter(target=contact)),
        "merges_out": list(merges.filter(source=contact)),
        "form": form or ContactMergeForm(),
    }


@staff_required
@require_http_methods(["GET"])
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    return render(request, "inbox/contact_detail.html", contact_context(request, contact))


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another contact (the source) into this one; both must be visible to the agent, and every case of
    both must be one the agent may change (403 with the reason otherwise)."""
    target = visible_contact_or_404(request, pk)
    form = ContactMergeForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        source = visible_contacts(request.user).filter(pk=form.cleaned_data["source"]).first()
        if source is None:
            form.add_error("source", "There is no contact with that number that you can see.")
        elif source.merged_into_id:
            form.add_error("source", "That contact was already merged into another one.")
        elif target.merged_into_id:
            form.add_error(None, "This contact was itself merged; merge into the contact it points to.")
        else:
            try:
                merge_contacts(source, target, actor=request.user)
            except MergeOutOfReach as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValueError as exc:
                form.add_error("source", str(exc))
            else:
                messages.success(request, f"Contact {source.pk} was merged into this one. You can undo it below.")
                return redirect("inbox:contact", pk=target.pk)
    return render(request, "inbox/contact_merge.html", contact_context(request, target, form), status=status)


@staff_required
@require_POST
def contact_merge_undo(request: HttpRequest, pk: int, merge_id: int) -> HttpResponse:
    target = visible_contact_or_404(request, pk)
    merge = ContactMerge.objects.select_related("source", "target").filter(pk=merge_id, target=target).first()
    if merge is None:
        raise Http404("No such merge.")
    try:
        undo_contact_merge(merge, actor=request.user)
    except (MergeOutOfReach, ValueError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The merge of contact {merge.source_id} was undone.")
    return redirect("inbox:contact", pk=target.pk)
