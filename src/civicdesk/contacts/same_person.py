"""People, not handles: other contacts that may be the same person as this one, because of the same name, the same
phone digits, a similar email address, or a similar handle on any network (compared without "@", the instance or
the domain, and case), an email address's local part and a handle counting as alike. One query for the panel."""

from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from civicdesk.contacts.identities import SOCIAL_KINDS, handle_stem
from civicdesk.contacts.models import Contact, Identity, IdentityKind
from civicdesk.contacts.queries import contacts_visible_to

SHOWN = 5
ROWS_READ = 300  # identities read for the suggestions (a wider net than needed; the reasons are checked after)
KEYS_USED = 20  # of each kind: a contact with a hundred identities does not make a hundred-way query


@dataclass(frozen=True)
class Suggestion:
    """Another contact that may be the same person, and why we think so (sentences for staff)."""

    contact_id: int
    label: str
    reasons: tuple[str, ...]


@dataclass
class Keys:
    """What this contact is recognised by: its name, handle stems, email local parts and national phone digits."""

    names: set[str]
    stems: set[str]  # handle stems and email local parts: a handle may match an address and the other way round
    locals: set[str]
    nationals: dict[str, str]  # digits without the country code -> the number as stored


def email_locals(value: str) -> set[str]:
    """The local part of an address and its plain forms: without a +tag, without dots."""
    local = value.split("@", 1)[0].casefold()
    untagged = local.split("+", 1)[0]
    return {part for part in (local, untagged, untagged.replace(".", "")) if len(part) >= 3}


def _name(text: str) -> str:
    return " ".join(text.split()).lower()


def keys_of(contact: Contact, identities: list[Identity]) -> Keys:
    keys = Keys(names=set(), stems=set(), locals=set(), nationals={})
    if len(_name(contact.display_name)) >= 3:
        keys.names.add(_name(contact.display_name))
    for identity in identities:
        if identity.kind == IdentityKind.EMAIL:
            keys.locals |= email_locals(identity.value)
        elif identity.kind == IdentityKind.PHONE:
            try:
                keys.nationals[str(phonenumbers.parse(identity.value).national_number)] = identity.value
            except phonenumbers.NumberParseException:
                continue
        elif identity.kind in SOCIAL_KINDS:
            keys.stems |= {stem for stem in (handle_stem(identity.value), handle_stem(identity.display)) if stem}
    keys.stems |= keys.locals
    keys.stems = set(sorted(keys.stems)[:KEYS_USED])
    return keys


def _condition(keys: Keys) -> Q:
    """Every identity row that may matter (a superset: reasons() decides)."""
    condition = Q(lname__in=keys.names) if keys.names else Q(pk__in=[])
    for stem in keys.stems:
        condition |= Q(kind__in=SOCIAL_KINDS) & (Q(value__istartswith=stem) | Q(value__istartswith=f"@{stem}")
                                                 | Q(display__istartswith=stem) | Q(display__istartswith=f"@{stem}"))
        condition |= Q(kind=IdentityKind.EMAIL, value__istartswith=stem)
    for national in list(keys.nationals)[:KEYS_USED]:
        condition |= Q(kind=IdentityKind.PHONE, value__endswith=national)
    return condition


def _reason(keys: Keys, row: dict[str, Any]) -> str:
    """Why this identity row (or its contact's name) suggests the same person; "" when it does not after all."""
    kind, value, display = row["kind"], row["value"], row["display"]
    if kind == IdentityKind.PHONE:
        for national, ours in keys.nationals.items():
            if value.endswith(national):
                return _("The same phone number digits (%(number)s)") % {"number": ours}
    elif kind == IdentityKind.EMAIL:
        if email_locals(value) & keys.stems:
            return _("A similar email address (%(address)s)") % {"address": value}
    elif kind in SOCIAL_KINDS and {handle_stem(value), handle_stem(display)} & keys.stems:
        return _("A similar handle (%(handle)s on %(network)s)") % {
            "handle": display or value, "network": IdentityKind(kind).label}
    return ""


def suggestions(user: Any, contact: Contact, identities: list[Identity], limit: int = SHOWN) -> list[Suggestion]:
    """Contacts the user can see (not merged away) that may be the same person: one query, whatever the number
    of identities. `identities` are the contact's own (the page has read them already)."""
    keys = keys_of(contact, identities)
    if not (keys.names or keys.stems or keys.nationals):
        return []
    visible = contacts_visible_to(user).filter(merged_into__isnull=True).values("pk")
    rows = (Identity.objects.annotate(lname=Lower("contact__display_name"))
            .filter(_condition(keys), contact_id__in=visible).exclude(contact_id=contact.pk)
            .order_by("contact__display_name", "contact_id", "kind", "value")
            .values("contact_id", "contact__display_name", "lname", "kind", "value", "display")[:ROWS_READ])
    found: dict[int, tuple[str, list[str]]] = {}
    for row in rows:
        reasons = [_("The same name")] if row["lname"] and _name(row["lname"]) in keys.names else []
        if reason := _reason(keys, row):
            reasons.append(reason)
        if not reasons:
            continue
        label = row["contact__display_name"] or row["display"] or row["value"]
        entry = found.setdefault(row["contact_id"], (label, []))
        entry[1].extend(reason for reason in reasons if reason not in entry[1])
    return [Suggestion(pk, label, tuple(reasons)) for pk, (label, reasons) in list(found.items())[:limit]]
