"""Writes to contacts: resolving a sender to one contact (a group of new senders at once), staff edits (name, kind,
language, identities, notes); each audited. Merging and un-merging are in contacts.merges."""

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from civicdesk.audit.actions import record, record_field_changes, record_soon, snapshot
from civicdesk.audit.models import AuditAction
from civicdesk.contacts.identities import SOCIAL_KINDS, InvalidIdentity, normalize_identity
from civicdesk.contacts.languages import supported_language
from civicdesk.contacts.models import Contact, ContactKind, ContactNote, Identity, IdentityKind
from civicdesk.contacts.queries import cases_out_of_reach, may_change_contact
from civicdesk.core import prefetch

EDITED_FIELDS = ["display_name", "kind", "language"]


class ContactOutOfReach(PermissionError):
    """A change to a contact the staff member may not make; the message says why and who can."""


class IdentityTaken(ValueError):
    """The address, number or handle already belongs to another contact (`owner`, the one standing for it now)."""

    def __init__(self, message: str, owner: Contact) -> None:
        super().__init__(message)
        self.owner = owner


def surviving_contact(contact: Contact) -> Contact:
    """Follow merged_into to the contact that now stands for this one."""
    seen = set()
    while contact.merged_into_id and contact.pk not in seen:
        seen.add(contact.pk)
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


def _attach_identity(contact: Contact, kind: str, value: str, *, new_contact: bool = False) -> Identity | None:
    if new_contact and prefetch.rolled_back_whole():
        # looked up and not found a moment ago: only a race fails it, and then the caller's whole group is redone
        identity = Identity.objects.create(contact=contact, kind=kind, value=value)
    else:
        try:
            with transaction.atomic():
                identity = Identity.objects.create(contact=contact, kind=kind, value=value)
        except IntegrityError:
            return None  # already known, possibly on another contact: keep the first owner
    record_soon(AuditAction.IDENTITY_ADDED, contact=contact, after={"kind": kind, "value": value})
    return identity


def resolve_contact(
    identities: Iterable[tuple[str, str]], *, display_name: str = "", kind: str = "", actor: Any = None,
    language: str = "",
) -> Contact:
    """Find the contact owning any of the identities (kind, raw value), or create one.

    Identities must be valid; callers normalise and reject bad input first. Unknown identities are
    added to the contact found, so a phone number given on a web form links later SMS to the same person.
    `language` (the page's language when the person wrote in) becomes the contact's: later mail goes out in it.
    """
    return resolve_sender(identities, display_name=display_name, kind=kind, actor=actor, language=language)[0]


class NewSender(NamedTuple):
    kind: str
    value: str  # normalised
    display_name: str
    contact_kind: str
    language: str


def add_senders(senders: Iterable[NewSender]) -> dict[tuple[str, str], Identity]:
    """A contact and its identity for each sender looked up and not found a moment ago (the inbound batch worker's
    group of texts from new numbers): two INSERTs for all of them, audited as resolve_sender audits one. The caller's
    transaction rolls back whole on any error (a race on an identity fails the group, which is then applied one
    payload at a time). Each identity is marked just_added, so resolve_sender reports it as added."""
    unique = list({(sender.kind, sender.value): sender for sender in senders}.values())
    if not unique:
        return {}
    contacts = Contact.objects.bulk_create([
        Contact(display_name=sender.display_name[:200], kind=sender.contact_kind or ContactKind.RESIDENT,
                language=supported_language(sender.language)) for sender in unique])
    identities = Identity.objects.bulk_create([Identity(contact=contact, kind=sender.kind, value=sender.value)
                                               for contact, sender in zip(contacts, unique, strict=True)])
    for contact, identity in zip(contacts, identities, strict=True):
        record_soon(AuditAction.CONTACT_CREATED, contact=contact, after={"display_name": contact.display_name})
        record_soon(AuditAction.IDENTITY_ADDED, contact=contact, after={"kind": identity.kind, "value": identity.value})
        identity.just_added = True  # type: ignore[attr-defined]
    return {(identity.kind, identity.value): identity for identity in identities}


class Resolved(NamedTuple):
    contact: Contact
    identities: dict[tuple[str, str], Identity]  # found or added, by (kind, normalised value)
    added: set[tuple[str, str]]  # of those, the ones added now (no opt-out can name them yet)


def resolve_sender(
    identities: Iterable[tuple[str, str]], *, display_name: str = "", kind: str = "", actor: Any = None,
    language: str = "",
) -> Resolved:
    """resolve_contact, and the stored identities it found or added by (kind, normalised value), so the inbound
    pipeline need not read its sender's identity again (one it could not add, being another's, is not in it)."""
    language = supported_language(language)
    normalized = list(dict.fromkeys((k, normalize_identity(k, v)) for k, v in identities if v))
    contact = None
    added: set[tuple[str, str]] = set()
    stored: dict[tuple[str, str], Identity] = {}
    for k, v in normalized:
        identity = prefetch.take("identity", (k, v))  # the inbound batch worker read its group's senders at once
        if identity is prefetch.MISS:
            identity = Identity.objects.select_related("contact").filter(kind=k, value=v).first()
        if identity:
            contact = surviving_contact(identity.contact)
            stored[(k, v)] = identity  # known: adding it again would only fail on the unique index
            if getattr(identity, "just_added", False):  # by add_senders, for this message's group
                added.add((k, v))
            break
    if contact is None:
        contact = Contact.objects.create(display_name=display_name[:200], kind=kind or ContactKind.RESIDENT,
                                         language=language)
        record_soon(AuditAction.CONTACT_CREATED, contact=contact, actor=actor,
                    after={"display_name": contact.display_name})
        new_contact = True
    else:
        new_contact = False
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
        if (k, v) not in stored:
            attached = _attach_identity(contact, k, v, new_contact=new_contact)
            if attached is not None:
                stored[(k, v)] = attached
                added.add((k, v))
    return Resolved(contact, stored, added)


def note_identity_display(kind: str, raw_value: str, display: str,
                          known: dict[tuple[str, str], Identity] | None = None) -> None:
    """Keep the handle or name a social network shows for one of its stable ids (handles change: the latest wins).
    One UPDATE, nothing when it is unchanged (no statement at all when `known`, resolve_sender's identities, holds
    it already showing that); never an audit entry (it is no change of who the person is)."""
    if kind not in SOCIAL_KINDS or not display.strip():
        return
    try:
        value = normalize_identity(kind, raw_value)
    except InvalidIdentity:
        return
    shown = display.strip()[:200]
    held = (known or {}).get((kind, value))
    if held is not None and held.display == shown:
        return
    if Identity.objects.filter(kind=kind, value=value).exclude(display=shown).update(display=shown) and held:
        held.display = shown


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


def check_may_change(actor: Any, contact: Contact) -> None:
    """Refuse (ContactOutOfReach) a staff edit of a contact the actor may not change (see may_change_contact), and
    (ValueError) any edit of a contact merged into another one. actor=None is the system itself."""
    if contact.merged_into_id:
        raise ValueError(gettext("This contact was merged into another one: change that contact instead."))
    if actor is not None and not may_change_contact(actor, contact):
        raise ContactOutOfReach(gettext("You can change a contact only when one of their cases is yours to change. "
                                        "Nothing was changed."))


@transaction.atomic
def edit_contact(contact: Contact, *, actor: Any, display_name: str, kind: str, language: str) -> Contact:
    """Set the name, kind and language staff chose; one audit entry with the fields that really changed."""
    check_may_change(actor, contact)
    if kind not in ContactKind.values:
        raise ValueError(gettext("Choose one of the kinds of contact offered."))
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(gettext("Choose one of the languages offered, or none."))
    before = snapshot(contact, EDITED_FIELDS)
    contact.display_name = display_name.strip()[:200]
    contact.kind = kind
    contact.language = language
    contact.save(update_fields=EDITED_FIELDS)
    record_field_changes(contact=contact, actor=actor, before=before, after=snapshot(contact, EDITED_FIELDS),
                         reason="Edited by staff")
    return contact


def _taken(value: str, owner: Contact) -> IdentityTaken:
    return IdentityTaken(gettext("%(value)s already belongs to another contact.") % {"value": value},
                         surviving_contact(owner))


@transaction.atomic
def add_identity(contact: Contact, *, actor: Any, kind: str, raw_value: str) -> Identity:
    """Add an address, number or handle typed by staff, normalised like inbound ones. InvalidIdentity (a ValueError)
    for a bad value; IdentityTaken when another contact owns it (merge them instead); ValueError when it is this
    contact's already."""
    check_may_change(actor, contact)
    if kind not in IdentityKind.values:
        raise ValueError(gettext("Choose one of the kinds of identity offered."))
    value = normalize_identity(kind, raw_value)
    if len(value) > Identity._meta.get_field("value").max_length:  # type: ignore[operator]
        raise ValueError(gettext("That is too long to be an address, number or handle."))
    existing = Identity.objects.select_related("contact").filter(kind=kind, value=value).first()
    if existing is not None:
        if existing.contact_id == contact.pk:
            raise ValueError(gettext("This contact already has %(value)s.") % {"value": value})
        raise _taken(value, existing.contact)
    try:
        with transaction.atomic():
            identity = Identity.objects.create(contact=contact, kind=kind, value=value)
    except IntegrityError:  # added by someone else a moment ago
        owner = Identity.objects.select_related("contact").get(kind=kind, value=value).contact
        raise _taken(value, owner) from None
    record(AuditAction.IDENTITY_ADDED, contact=contact, actor=actor, after={"kind": kind, "value": value})
    return identity


def _check_removal_within_reach(actor: Any, contact: Contact) -> None:
    """Removing an address or number changes where replies on every case of the contact can go: like a merge, all
    the contact's cases must be the actor's to change."""
    if actor is None:
        return
    count, agencies = cases_out_of_reach(actor, [contact.pk])
    if not count:
        return
    reach = ngettext("This contact has %(count)d case you cannot change, in %(agencies)s.",
                     "This contact has %(count)d cases you cannot change, in %(agencies)s.",
                     count) % {"count": count, "agencies": ", ".join(agencies)}
    advice = gettext("Nothing was changed: removing an address or number changes where replies on every case of "
                     "the contact can go, so a supervisor or administrator of every agency involved can remove it.")
    raise ContactOutOfReach(f"{reach} {advice}")


@transaction.atomic
def remove_identity(identity: Identity, *, actor: Any) -> None:
    """Remove an address, number or handle from its contact. Refused (ContactOutOfReach) unless every case of the
    contact is the actor's to change, since replies on those cases may go there; refused (ValueError) when it asked
    for no more messages, so the refusal is kept."""
    contact = identity.contact
    check_may_change(actor, contact)
    if identity.opted_out_at is not None:
        raise ValueError(gettext("%(value)s asked for no more messages. It stays on the contact so that nothing is "
                                 "sent to it again.") % {"value": identity.value})
    _check_removal_within_reach(actor, contact)
    removed = {"kind": identity.kind, "value": identity.value}
    identity.delete()
    record(AuditAction.CONTACT_CHANGED, contact=contact, actor=actor, reason="Identity removed", before=removed)


@transaction.atomic
def add_contact_note(contact: Contact, *, author: Any, text: str) -> ContactNote:
    """A staff note on the contact, audited (the note's number, not its text: the trail is not a second copy)."""
    check_may_change(author, contact)
    text = text.strip()
    if not text:
        raise ValueError(gettext("Write the note first."))
    if len(text) > settings.MAX_TEXT_LENGTH:
        raise ValueError(gettext("A note can have at most %(count)d characters.") % {"count": settings.MAX_TEXT_LENGTH})
    note = ContactNote.objects.create(contact=contact, author=author, text=text)
    record(AuditAction.CONTACT_CHANGED, contact=contact, actor=author, reason="Note added", after={"note": note.pk})
    return note
