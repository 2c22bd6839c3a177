"""Writes to contacts: resolving a sender to one contact, adding identities, merging and un-merging."""

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.contacts.identities import normalize_identity
from civicdesk.contacts.languages import supported_language
from civicdesk.contacts.models import Contact, ContactKind, ContactMerge, Identity
from civicdesk.contacts.queries import cases_out_of_reach


class MergeOutOfReach(PermissionError):
    """A merge or undo would touch cases the staff member may not change; the message says how many and where."""


def surviving_contact(contact: Contact) -> Contact:
    """Follow merged_into to the contact that now stands for this one."""
    seen = set()
    while contact.merged_into_id and contact.pk not in seen:
        seen.add(contact.pk)
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


def _attach_identity(contact: Contact, kind: str, value: str) -> None:
    try:
        with transaction.atomic():
            Identity.objects.create(contact=contact, kind=kind, value=value)
    except IntegrityError:
        return  # already known, possibly on another contact: keep the first owner
    record(AuditAction.IDENTITY_ADDED, contact=contact, after={"kind": kind, "value": value})


def resolve_contact(
    identities: Iterable[tuple[str, str]], *, display_name: str = "", kind: str = "", actor: Any = None,
    language: str = "",
) -> Contact:
    """Find the contact owning any of the identities (kind, raw value), or create one.

    Identities must be valid; callers normalise and reject bad input first. Unknown identities are
    added to the contact found, so a phone number given on a web form links later SMS to the same person.
    `language` (the page's language when the person wrote in) becomes the contact's: later mail goes out in it.
    """
    language = supported_language(language)
    normalized = [(k, normalize_identity(k, v)) for k, v in identities if v]
    contact = None
    for k, v in normalized:
        identity = Identity.objects.select_related("contact").filter(kind=k, value=v).first()
        if identity:
            contact = surviving_contact(identity.contact)
            break
    if contact is None:
        contact = Contact.objects.create(display_name=display_name[:200], kind=kind or ContactKind.RESIDENT,
                                         language=language)
        record(AuditAction.CONTACT_CREATED, contact=contact, actor=actor, after={"display_name": contact.display_name})
    else:
        changed = []
        if display_name and not contact.display_name:
            contact.display_name = display_name[:200]
            changed.append("display_name")
        if language and contact.language != language:  # the language they used last is the one they read
            contact.language = language
            changed.append("language")
        if changed:
            contact.save(update_fields=changed)
    for k, v in normalized:
        _attach_identity(contact, k, v)
    return contact


def check_within_reach(actor: Any, contact_ids: list[int], *, undo: bool = False) -> None:
    """Refuse (MergeOutOfReach) when any case of these contacts is one the actor may not change.

    A merge moves cases and changes where replies on every case of both contacts can go, so all their cases must
    be the actor's to change: a supervisor or administrator of every agency involved. actor=None is the system
    itself (a management command or a migration), which is trusted.
    """
    if actor is None:
        return
    count, agencies = cases_out_of_reach(actor, contact_ids)
    if not count:
        return
    reach = ngettext("These contacts have %(count)d case you cannot change, in %(agencies)s.",
                     "These contacts have %(count)d cases you cannot change, in %(agencies)s.",
                     count) % {"count": count, "agencies": ", ".join(agencies)}
    if undo:
        advice = gettext("Nothing was changed: a supervisor or administrator of every agency involved can undo "
                         "this merge.")
    else:
        advice = gettext("Nothing was changed: a supervisor or administrator of every agency involved can merge "
                         "these contacts.")
    raise MergeOutOfReach(f"{reach} {advice}")


@transaction.atomic
def merge_contacts(source: Contact, target: Contact, *, actor: Any) -> ContactMerge:
    """Move source's identities and cases to target; source stays as a pointer so it can be undone.

    MergeOutOfReach when either contact has a case the actor may not change (see check_within_reach).
    """
    if source.pk == target.pk:
        raise ValueError("A contact cannot be merged into itself.")
    if source.merged_into_id:
        raise ValueError("That contact was already merged into another one.")
    if target.merged_into_id:
        raise ValueError("This contact was itself merged; merge into the contact it points to.")
    check_within_reach(actor, [source.pk, target.pk])
    identity_ids = list(source.identities.values_list("pk", flat=True))
    case_ids = list(source.cases.values_list("pk", flat=True))
    Identity.objects.filter(pk__in=identity_ids).update(contact=target)
    source.cases.update(contact=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    merge = ContactMerge.objects.create(
        source=source, target=target, moved_identity_ids=identity_ids, moved_case_ids=case_ids, merged_by=actor
    )
    change = {"source": source.pk, "target": target.pk, "identities": identity_ids, "cases": case_ids}
    record(AuditAction.CONTACT_MERGED, contact=target, actor=actor, after=change)
    record(AuditAction.CONTACT_MERGED, contact=source, actor=actor, after=change)
    return merge


@transaction.atomic
def undo_contact_merge(merge: ContactMerge, *, actor: Any) -> None:
    """Move the merged identities and cases back; MergeOutOfReach under the same rule as the merge."""
    if merge.undone_at:
        raise ValueError("This merge was already undone.")
    if Contact.objects.filter(pk=merge.target_id, merged_into__isnull=False).exists():
        raise ValueError("The contact merged into was itself merged since; undo that later merge first.")
    check_within_reach(actor, [merge.source_id, merge.target_id], undo=True)
    Identity.objects.filter(pk__in=merge.moved_identity_ids, contact=merge.target).update(contact=merge.source)
    merge.target.cases.filter(pk__in=merge.moved_case_ids).update(contact=merge.source)
    Contact.objects.filter(pk=merge.source_id).update(merged_into=None)
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    change = {"source": merge.source_id, "target": merge.target_id}
    record(AuditAction.CONTACT_UNMERGED, contact=merge.target, actor=actor, before=change)
    record(AuditAction.CONTACT_UNMERGED, contact=merge.source, actor=actor, before=change)


@transaction.atomic
def update_contact(contact: Contact, *, actor: Any, **fields: Any) -> Contact:
    allowed = {"display_name", "kind", "organisation", "notes", "language"}
    before = {k: getattr(contact, k) for k in fields if k in allowed}
    for key, value in fields.items():
        if key in allowed:
            setattr(contact, key, value)
    contact.save()
    record(AuditAction.CONTACT_CHANGED, contact=contact, actor=actor, before=before,
           after={k: getattr(contact, k) for k in before})
    return contact


def record_identity_edit(contact: Contact, *, actor: Any, before: set[tuple[str, str]],
                         after: set[tuple[str, str]]) -> None:
    """Audit identities added or removed by hand (the admin), as sorted 'kind:value' lists."""
    record(AuditAction.CONTACT_CHANGED, contact=contact, actor=actor, reason="Identities edited in the admin",
           before={"identities": sorted(f"{k}:{v}" for k, v in before)},
           after={"identities": sorted(f"{k}:{v}" for k, v in after)})


def set_opt_out(kind: str, raw_value: str, *, opted_out: bool, display_name: str = "") -> Identity:
    """Record that this address or number asked for no more messages (STOP), or for them again (START).

    An unknown sender becomes a contact first, so the refusal is kept for a later send (contacts.queries.opted_out).
    """
    value = normalize_identity(kind, raw_value)
    identity = Identity.objects.filter(kind=kind, value=value).select_related("contact").first()
    if identity is None:
        resolve_contact([(kind, value)], display_name=display_name)
        identity = Identity.objects.select_related("contact").get(kind=kind, value=value)
    if (identity.opted_out_at is not None) == opted_out:
        return identity  # already so: nothing changes, nothing is recorded twice
    identity.opted_out_at = timezone.now() if opted_out else None
    identity.save(update_fields=["opted_out_at"])
    record(AuditAction.OPTED_OUT if opted_out else AuditAction.OPTED_IN, contact=identity.contact,
           actor_label=kind, after={"identity": identity.pk, "kind": kind})
    return identity
