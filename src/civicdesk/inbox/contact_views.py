"""Staff contact pages: the directory with search, and a contact's page where staff edit the name, type and
language, add and remove identities, keep notes, and see suggested duplicates."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.permissions import visible_cases
from civicdesk.contacts import actions
from civicdesk.contacts.models import Contact, ContactKind, ContactMerge, Identity, IdentityKind
from civicdesk.contacts.queries import (
    contact_notes,
    contact_page,
    directory_contacts,
    may_change_contact,
)
from civicdesk.contacts.same_person import suggestions
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.contact_forms import ContactEditForm, ContactNoteForm, ContactSearchForm, IdentityAddForm
from civicdesk.inbox.queries import visible_contacts

CASES_SHOWN = 100
FIELD_LABELS = {"display_name": gettext_lazy("Name"), "kind": gettext_lazy("Type"),
                "language": gettext_lazy("Language")}


def visible_contact_or_404(request: HttpRequest, pk: int) -> Contact:
    contact = visible_contacts(request.user).select_related("merged_into").filter(pk=pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


@staff_required
@require_GET
def contact_directory(request: HttpRequest) -> HttpResponse:
    """The contacts the user may see, searched by name, email, phone (any formatting) or handle, 50 a page."""
    form = ContactSearchForm(request.GET)
    q = form.query
    page = contact_page(request.user, directory_contacts(request.user, q), form.page_number)
    base = reverse("inbox:contacts")

    def page_url(number: int) -> str:
        params = {k: v for k, v in {"q": q, "page": number if number > 1 else ""}.items() if v}
        return base + (f"?{urlencode(params)}" if params else "")

    pager = [(n, page_url(n)) if n is not None else (None, "") for n in page.paging.pager()]
    return render(request, "inbox/contact_list.html", {
        "nav": "contacts", "form": form, "q": q, "page": page, "paging": page.paging, "pager": pager,
        "previous_url": page_url(page.paging.number - 1), "next_url": page_url(page.paging.number + 1),
        "first_url": page_url(1), "last_url": page_url(page.paging.last_number or 1),
    })


def _change_lines(entry: AuditEntry) -> list[str]:
    """An audit entry of a contact in plain words, one line per change."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == AuditAction.IDENTITY_ADDED and "value" in after:
        return [_("Added %(value)s") % {"value": after["value"]}]
    if entry.reason == "Identity removed" and "value" in before:
        return [_("Removed %(value)s") % {"value": before["value"]}]
    if entry.reason == "Note added":
        return [_("Added a note")]
    lines = []
    kinds, languages = dict(ContactKind.choices), {"": _("not known")}
    for name, label in FIELD_LABELS.items():
        if name in after:
            old, new = before.get(name, ""), after[name]
            if name == "kind":
                old, new = kinds.get(old, old), kinds.get(new, new)
            elif name == "language":
                old, new = languages.get(old, old), languages.get(new, new)
            lines.append(_("%(field)s: “%(old)s” → “%(new)s”") % {"field": label, "old": old, "new": new})
    return lines


def contact_context(request: HttpRequest, contact: Contact, *, with_duplicates: bool = True,
                    **forms: Any) -> dict[str, Any]:
    cases = (visible_cases(request.user).filter(contact=contact)
             .select_related("agency", "service").order_by("-created_at")[:CASES_SHOWN])
    merges = ContactMerge.objects.select_related("source", "target", "merged_by", "undone_by").order_by("-merged_at")
    history = list(AuditEntry.objects.filter(contact=contact).select_related("actor").order_by("-at", "-id"))
    may_change = not contact.merged_into_id and may_change_contact(request.user, contact)
    identities = list(contact.identities.order_by("kind", "value"))
    return {
        "nav": "contacts",
        "contact": contact,
        "identities": identities,
        "cases": list(cases),
        "cases_limit": CASES_SHOWN,
        "history": [(entry, _change_lines(entry)) for entry in history],
        "merges_in": list(merges.filter(target=contact)),
        "merges_out": list(merges.filter(source=contact)),
        "notes": contact_notes(contact),
        "duplicates": suggestions(request.user, contact, identities)
        if with_duplicates and not contact.merged_into_id else [],
        "may_change": may_change,
        "edit_form": forms.get("edit_form") or ContactEditForm(initial={
            "display_name": contact.display_name, "kind": contact.kind, "language": contact.language}),
        "identity_form": forms.get("identity_form") or IdentityAddForm(initial={"kind": IdentityKind.EMAIL}),
        "note_form": forms.get("note_form") or ContactNoteForm(),
        "taken_by": forms.get("taken_by"),
    }


@staff_required
@require_http_methods(["GET"])
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    return render(request, "inbox/contact_detail.html", contact_context(request, contact))


def _refused(request: HttpRequest, contact: Contact, exc: Exception, **forms: Any) -> HttpResponse:
    """The contact page again with the refusal shown: 403 when it is not the user's to change, 400 otherwise."""
    status = 403 if isinstance(exc, PermissionError) else 400
    context = contact_context(request, contact, **forms)
    context["refusal"] = str(exc)
    return render(request, "inbox/contact_detail.html", context, status=status)


def _back(contact: Contact, anchor: str) -> HttpResponse:
    return redirect(reverse("inbox:contact", args=[contact.pk]) + f"#{anchor}")


@staff_required
@require_POST
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    form = ContactEditForm(request.POST)
    if not form.is_valid():
        return render(request, "inbox/contact_detail.html", contact_context(request, contact, edit_form=form),
                      status=400)
    try:
        actions.edit_contact(contact, actor=request.user, **form.cleaned_data)
    except (PermissionError, ValueError) as exc:
        return _refused(request, contact, exc, edit_form=form)
    messages.success(request, _("Saved the name, type and language."))
    return _back(contact, "contact-details")


@staff_required
@require_POST
def identity_add(request: HttpRequest, pk: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    form = IdentityAddForm(request.POST)
    if not form.is_valid():
        return render(request, "inbox/contact_detail.html", contact_context(request, contact, identity_form=form),
                      status=400)
    try:
        identity = actions.add_identity(contact, actor=request.user, kind=form.cleaned_data["kind"],
                                        raw_value=form.cleaned_data["value"])
    except PermissionError as exc:
        return _refused(request, contact, exc, identity_form=form)
    except actions.IdentityTaken as exc:
        owner = visible_contacts(request.user).filter(pk=exc.owner.pk).first()  # named only when visible
        form.add_error("value", str(exc) if owner else _("%(error)s It is a contact you cannot see: ask a supervisor "
                                                          "or administrator to merge them.") % {"error": exc})
        return render(request, "inbox/contact_detail.html",
                      contact_context(request, contact, identity_form=form, taken_by=owner), status=409)
    except ValueError as exc:  # an invalid address or number, or one this contact has already
        form.add_error("value", str(exc))
        return render(request, "inbox/contact_detail.html", contact_context(request, contact, identity_form=form),
                      status=400)
    messages.success(request, _("Added %(value)s.") % {"value": identity.value})
    return _back(contact, "identities")


@staff_required
@require_POST
def identity_remove(request: HttpRequest, pk: int, identity_id: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    identity = Identity.objects.filter(pk=identity_id, contact=contact).first()
    if identity is None:
        raise Http404("No such identity on this contact.")
    identity.contact = contact
    try:
        actions.remove_identity(identity, actor=request.user)
    except (PermissionError, ValueError) as exc:
        return _refused(request, contact, exc)
    messages.success(request, _("Removed %(value)s.") % {"value": identity.value})
    return _back(contact, "identities")


@staff_required
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    contact = visible_contact_or_404(request, pk)
    form = ContactNoteForm(request.POST)
    if not form.is_valid():
        return render(request, "inbox/contact_detail.html", contact_context(request, contact, note_form=form),
                      status=400)
    try:
        actions.add_contact_note(contact, author=request.user, text=form.cleaned_data["text"])
    except (PermissionError, ValueError) as exc:
        return _refused(request, contact, exc, note_form=form)
    messages.success(request, _("Note added."))
    return _back(contact, "notes")
