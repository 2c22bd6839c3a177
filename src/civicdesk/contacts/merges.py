"""Merging two contacts into one and undoing it: identities and cases move, the source stays as a pointer; each
audited, and refused when either contact has a case the staff member may not change."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.contacts.actions import ContactOutOfReach
from civicdesk.contacts.models import Contact, ContactMerge, Identity
from civicdesk.contacts.queries import cases_out_of_reach


class MergeOutOfReach(ContactOutOfReach):
    """A merge or undo would touch cases the staff member may not change; the message says how many and where."""


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
