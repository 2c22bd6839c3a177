"""Read-only lookups for contacts: who may see and change them, the directory search, and what a merge touches
(suggested duplicates: contacts.same_person)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q, QuerySet

from civicdesk.agencies.models import Agency
from civicdesk.cases.models import Case
from civicdesk.cases.permissions import actionable_cases, is_admin, visible_cases
from civicdesk.cases.queries import COUNT_CAP, CasePage
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity, normalize_phone
from civicdesk.contacts.models import Contact, ContactNote, Identity, IdentityKind

DIRECTORY_PAGE_SIZE = 50
SEARCH_LENGTH = 200  # like the inbox search box
SEARCH_WORDS = 6  # more words than this are ignored: each one is a condition on every row
PHONE_LIKE = re.compile(r"^[\d\s().+\-/]+$")
MIN_PHONE_DIGITS = 3


def cases_of(contact_ids: Iterable[int]) -> QuerySet[Case]:
    return Case.objects.filter(contact_id__in=list(contact_ids))


def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    """Contacts with at least one case the user can see, and contacts merged into those (to undo a merge)."""
    if is_admin(user):
        return Contact.objects.all()
    cases = visible_cases(user, Case.objects.filter(contact_id=OuterRef("pk")))
    merged_cases = visible_cases(user, Case.objects.filter(contact_id=OuterRef("merged_into_id")))
    return Contact.objects.filter(Exists(cases) | Exists(merged_cases))


def may_change_contact(user: Any, contact: Contact) -> bool:
    """Whether the user may edit the contact, add identities and keep notes on it: an administrator, or someone who
    may change at least one of its cases (seeing a case on the transfer trail is not enough)."""
    if is_admin(user):
        return True
    return actionable_cases(user, Case.objects.filter(contact_id=contact.pk)).exists()


def cases_out_of_reach(actor: Any, contact_ids: Iterable[int]) -> tuple[int, list[str]]:
    """(how many, which agencies' names) of the contacts' cases the actor may not change; (0, []) when none.

    Only counts and agency names: enough to explain a refusal without showing another agency's cases.
    """
    cases = cases_of(contact_ids)
    out_of_reach = cases.exclude(pk__in=actionable_cases(actor, cases).values("pk"))
    count = out_of_reach.count()
    if not count:
        return 0, []
    names = Agency.objects.filter(pk__in=out_of_reach.values("agency_id")).order_by("name")
    return count, list(names.values_list("name", flat=True))


def identity_for(kind: str, raw: str) -> Identity | None:
    """The stored identity a raw address or number stands for, if it is valid and known."""
    try:
        value = normalize_identity(kind, raw)
    except InvalidIdentity:
        return None
    return Identity.objects.filter(kind=kind, value=value).first()


def opted_out(kind: str, raw: str) -> bool:
    """True when this address or number asked for no more messages (a send to it must be refused)."""
    identity = identity_for(kind, raw)
    return identity is not None and identity.opted_out_at is not None


def _phone_match(q: str) -> Q | None:
    """Phone identities a phone-like query stands for: the whole number in any formatting (phonenumbers), or a run
    of its digits ("555 0123", "(215) 555-0123", "+1 215 555 0123" all find +12155550123)."""
    if not PHONE_LIKE.match(q):
        return None
    digits = re.sub(r"\D", "", q)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    try:
        whole = normalize_phone(q)
    except InvalidIdentity:
        whole = ""
    wanted = Q(value__contains=digits) | (Q(value=whole) if whole else Q())
    return Q(pk__in=Identity.objects.filter(wanted, kind=IdentityKind.PHONE).values("contact_id"))


def _word_match(word: str) -> Q:
    """A name, organisation, email address or handle containing the word ("@rosa" and "rosa" alike)."""
    bare = word.lstrip("@") or word
    identities = Identity.objects.filter(Q(value__icontains=bare) | Q(display__icontains=bare)).values(
        "contact_id")  # one pass, not one per contact; a handle shown for a stable id (a DID) is found too
    return Q(display_name__icontains=word) | Q(organisation__icontains=word) | Q(pk__in=identities)


def search_contacts(contacts: QuerySet[Contact], q: str) -> QuerySet[Contact]:
    """Narrow (already scoped) contacts to those matching q: every word in the name, organisation or an identity,
    or the phone number q stands for. The directory and the API search with this one function."""
    q = q.strip()[:SEARCH_LENGTH]
    words = q.split()[:SEARCH_WORDS]
    if not words:
        return contacts
    text = Q()
    for word in words:
        text &= _word_match(word)
    phone = _phone_match(q)
    return contacts.filter(text | phone if phone is not None else text)


def directory_contacts(user: Any, q: str = "") -> QuerySet[Contact]:
    """The contacts a user may see, not merged away, matching q, in name order.

    SQLite is kept from answering "not merged" with the merged_into index (then sorting every contact and probing
    each one's cases: seconds on a big desk): it walks the name index instead, probing cases per contact only until
    the page is full."""
    contacts = Contact.objects.all()
    if connection.vendor == "sqlite":
        unindexed = ExpressionWrapper(Func(F("merged_into_id"), template="+%(expressions)s"),
                                      output_field=IntegerField())
        contacts = contacts.alias(not_merged=unindexed).filter(not_merged__isnull=True)
    else:
        contacts = contacts.filter(merged_into__isnull=True)
    if not is_admin(user):  # contacts_visible_to's rule, for contacts not merged away
        contacts = contacts.filter(Exists(visible_cases(user, Case.objects.filter(contact_id=OuterRef("pk")))))
    return search_contacts(contacts, q).order_by("display_name", "id")


@dataclass
class ContactPage:
    """One page of the directory, with the inbox's page arithmetic and pager (CasePage) over contacts."""

    contacts: list[Contact]
    paging: CasePage
    case_counts: dict[int, int] = field(default_factory=dict)

    @property
    def start_index(self) -> int:
        return (self.paging.number - 1) * self.paging.per_page + 1 if self.contacts else 0

    @property
    def end_index(self) -> int:
        return (self.paging.number - 1) * self.paging.per_page + len(self.contacts)

    @property
    def past_the_end(self) -> bool:
        return not self.contacts and self.paging.number > 1

    @property
    def rows(self) -> list[tuple[Contact, int]]:
        """Each contact with the number of its cases the user can see."""
        return [(contact, self.case_counts.get(contact.pk, 0)) for contact in self.contacts]


def contact_page(user: Any, contacts: QuerySet[Contact], number: int,
                 per_page: int = DIRECTORY_PAGE_SIZE) -> ContactPage:
    """per_page + 1 rows tell whether a next page exists; the total is counted up to COUNT_CAP only when they cannot
    tell. Each contact's identities come in one query, and the cases the user can see per contact in another."""
    number = max(1, number)
    offset = (number - 1) * per_page
    rows = list(contacts.prefetch_related("identities")[offset:offset + per_page + 1])
    has_next = len(rows) > per_page
    shown = offset + min(len(rows), per_page)
    if rows and not has_next:
        count, capped = shown, False
    else:
        counted = contacts.order_by()[:COUNT_CAP + 1].count()
        count, capped = max(min(counted, COUNT_CAP), shown), counted > COUNT_CAP
    rows = rows[:per_page]
    paging = CasePage(cases=[], number=number, has_next=has_next, count=count, count_capped=capped,
                      per_page=per_page)
    counts = dict(visible_cases(user).filter(contact_id__in=[c.pk for c in rows]).order_by()
                  .values("contact_id").annotate(n=Count("id")).values_list("contact_id", "n"))
    return ContactPage(contacts=rows, paging=paging, case_counts=counts)


def contact_notes(contact: Contact) -> list[ContactNote]:
    """Staff notes on the contact and on contacts merged into it (still merged), newest first."""
    merged = Contact.objects.filter(merged_into_id=contact.pk).values("pk")
    return list(ContactNote.objects.filter(Q(contact_id=contact.pk) | Q(contact_id__in=merged))
                .select_related("author", "author__staff").order_by("-created_at", "-id"))


@dataclass(frozen=True)
class MergePreview:
    """What merging `source` into `target` moves, as far as this user may know, and whether they may do it."""

    source: Contact
    target: Contact
    identities: list[Identity]
    case_count: int
    cases_you_see: list[Case]
    notes: int
    out_of_reach: int
    agencies: list[str]

    @property
    def allowed(self) -> bool:
        return not self.out_of_reach


def merge_preview(user: Any, source: Contact, target: Contact, cases_shown: int = 20) -> MergePreview:
    """The identities and cases that would move from source to target. Cases the user cannot see are only counted;
    the reach check is the merge's own (every case of both contacts must be the user's to change)."""
    moving = Case.objects.filter(contact_id=source.pk)
    out_of_reach, agencies = cases_out_of_reach(user, [source.pk, target.pk])
    return MergePreview(
        source=source, target=target, identities=list(source.identities.order_by("kind", "value")),
        case_count=moving.count(),
        cases_you_see=list(visible_cases(user, moving).select_related("agency").order_by("-created_at")[:cases_shown]),
        notes=ContactNote.objects.filter(contact_id=source.pk).count(), out_of_reach=out_of_reach, agencies=agencies)
