"""Read-only lookups for contacts: the cases a merge touches, those an actor may not change, identities by value."""

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from civicdesk.agencies.models import Agency
from civicdesk.cases.models import Case
from civicdesk.cases.permissions import actionable_cases
from civicdesk.contacts.identities import InvalidIdentity, normalize_identity
from civicdesk.contacts.models import Identity


def cases_of(contact_ids: Iterable[int]) -> QuerySet[Case]:
    return Case.objects.filter(contact_id__in=list(contact_ids))


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
