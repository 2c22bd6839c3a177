"""Merging two contacts from the staff pages: find the other contact by search, preview what moves, merge, undo."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicdesk.contacts.merges import MergeOutOfReach, merge_contacts, undo_contact_merge
from civicdesk.contacts.models import Contact, ContactMerge
from civicdesk.contacts.queries import directory_contacts, merge_preview
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.contact_forms import ContactSearchForm
from civicdesk.inbox.contact_views import contact_context, visible_contact_or_404
from civicdesk.inbox.forms import ContactMergeForm
from civicdesk.inbox.queries import visible_contacts
from civicdesk.web.params import BadParameter, bounded_int

RESULTS_SHOWN = 20


def _source(request: HttpRequest, target: Contact, raw: Any) -> Contact | None:
    """The contact to merge in, from a ?source= link: visible, not merged away, not the target itself."""
    try:
        pk = bounded_int(str(raw), "source")
    except BadParameter:
        return None
    if pk == target.pk:
        return None
    return visible_contacts(request.user).filter(pk=pk, merged_into__isnull=True).prefetch_related("identities").first()


def merge_context(request: HttpRequest, target: Contact, form: ContactMergeForm,
                  source: Contact | None) -> dict[str, Any]:
    search = ContactSearchForm(request.GET)
    q = search.query
    results = []
    if q:
        found = directory_contacts(request.user, q).exclude(pk=target.pk).prefetch_related("identities")
        results = list(found[:RESULTS_SHOWN + 1])
    return {**contact_context(request, target, with_duplicates=False), "form": form, "search": search, "q": q,
            "results": results[:RESULTS_SHOWN], "more_results": len(results) > RESULTS_SHOWN,
            "preview": merge_preview(request.user, source, target) if source and not target.merged_into_id else None}


@staff_required
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another contact (the source) into this one, found by search and previewed first; both must be visible
    to the agent, and every case of both must be one the agent may change (403 with the reason otherwise)."""
    target = visible_contact_or_404(request, pk)
    form = ContactMergeForm(request.POST or None)
    status = 400 if request.method == "POST" else 200
    source = _source(request, target, request.GET.get("source", "")) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        source = visible_contacts(request.user).filter(pk=form.cleaned_data["source"]).first()
        if source is None:
            form.add_error("source", _("There is no contact with that number that you can see."))
        elif source.merged_into_id:
            form.add_error("source", _("That contact was already merged into another one."))
        elif target.merged_into_id:
            form.add_error(None, _("This contact was itself merged; merge into the contact it points to."))
        else:
            name = source.label  # before the merge moves the identities it may be named by
            try:
                merge_contacts(source, target, actor=request.user)
            except MergeOutOfReach as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValueError as exc:
                form.add_error("source", str(exc))
            else:
                messages.success(request, _("%(name)s was merged into this contact. You can undo it under History.")
                                 % {"name": name})
                return redirect("inbox:contact", pk=target.pk)
    preview_of = source if request.method == "GET" else None  # a refused POST shows the reason, not the cases again
    context = merge_context(request, target, form, preview_of)
    return render(request, "inbox/contact_merge.html", context, status=status)


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
        messages.success(request, _("The merge of %(name)s was undone.") % {"name": merge.source.label})
    return redirect("inbox:contact", pk=target.pk)
