"""The contact endpoints of the REST API: search (the directory's query), read, update and identities, scoped like
the staff contact pages (a contact is visible through a case the token's owner can see)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.params import P, PathEx

from civicdesk.api import schemas
from civicdesk.cases.permissions import visible_cases
from civicdesk.contacts import actions
from civicdesk.contacts.models import Contact, ContactKind, Identity, IdentityKind
from civicdesk.contacts.queries import (
    SEARCH_LENGTH,
    contact_page,
    contacts_visible_to,
    directory_contacts,
    may_change_contact,
)
from civicdesk.web.params import MAX_DB_INT, MAX_PAGE

router = Router(tags=["contacts"])
CASES_LISTED = 100
ContactId = PathEx[int, P(ge=1, le=MAX_DB_INT, description="The contact's id.")]
IdentityId = PathEx[int, P(ge=1, le=MAX_DB_INT, description="The identity's id.")]


class IdentityOut(Schema):
    id: int
    kind: str = Field(description=f"One of {', '.join(IdentityKind.values)}.")
    value: str = Field(description="Normalised: lower-case email, E.164 phone, @handle.")
    opted_out: bool = Field(description="The address or number asked for no more messages.")


class ContactItemOut(Schema):
    id: int
    name: str = Field(description="The name, or the first email or phone when the name is not known.")
    display_name: str
    kind: str = Field(description=f"One of {', '.join(ContactKind.values)}.")
    language: str = Field(description="A language code such as en or es; empty when not known.")
    identities: list[IdentityOut]


class ContactListOut(Schema):
    count: int = Field(description="Matches, exact up to 1000.")
    count_capped: bool = Field(description="True when there are more than 1000 matches.")
    page: int
    has_next: bool
    items: list[ContactItemOut]


class ContactDetailOut(ContactItemOut):
    organisation: str
    merged_into: int | None = Field(description="The contact this one was merged into, if any.")
    cases: list[str] = Field(description=f"Numbers of the contact's cases you can see, newest first (at most "
                                         f"{CASES_LISTED}).")
    may_change: bool = Field(description="Whether you may update this contact and its identities.")


class ContactQuery(Schema):
    q: schemas.QueryText = Field("", max_length=SEARCH_LENGTH, description=(
        "A name, email address, phone number (any formatting, or a few of its digits) or handle; every word must "
        "match. Empty: every contact you can see."))
    page: int = Field(1, ge=1, le=MAX_PAGE)


class ContactUpdateIn(Schema):
    name: schemas.Text | None = Field(None, max_length=200, description="The display name; empty clears it.")
    kind: ContactKind | None = None
    language: schemas.Text | None = Field(None, max_length=10, description=(
        f"One of {', '.join(code for code, _name in settings.LANGUAGES)}, or empty for the site's language."))


class IdentityIn(Schema):
    kind: IdentityKind
    value: schemas.Text = Field(min_length=1, max_length=320, description=(
        "An email address, a phone number in any formatting (US numbers need no +1) or a handle."))


class TakenOut(Schema):
    detail: str
    contact: int | None = Field(description="The contact that has it, when you can see that contact (to merge).")


def _item(contact: Contact) -> dict[str, Any]:
    return {"id": contact.pk, "name": contact.label, "display_name": contact.display_name, "kind": contact.kind,
            "language": contact.language,
            "identities": [_identity(i) for i in sorted(contact.identities.all(), key=lambda i: (i.kind, i.value))]}


def _identity(identity: Identity) -> dict[str, Any]:
    return {"id": identity.pk, "kind": identity.kind, "value": identity.value,
            "opted_out": identity.opted_out_at is not None}


def _contact_for(request: HttpRequest, contact_id: int) -> Contact:
    contact = contacts_visible_to(request.user).filter(pk=contact_id).prefetch_related("identities").first()
    if contact is None:
        raise HttpError(404, f"There is no contact {contact_id} that you can see.")
    return contact


def _detail(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    numbers = (visible_cases(request.user).filter(contact_id=contact.pk).order_by("-created_at")
               .values_list("number", flat=True)[:CASES_LISTED])
    return {**_item(contact), "organisation": contact.organisation, "merged_into": contact.merged_into_id,
            "cases": list(numbers),
            "may_change": not contact.merged_into_id and may_change_contact(request.user, contact)}


def _refuse(exc: Exception) -> HttpError:
    return HttpError(403 if isinstance(exc, PermissionError) else 400, str(exc))


@router.get("", response=ContactListOut, summary="Search contacts",
            description="The contacts you can see (through a case of yours), not merged away, in name order; the "
                        "staff contact directory's search.")
def list_contacts(request: HttpRequest, filters: Query[ContactQuery]) -> dict[str, Any]:
    page = contact_page(request.user, directory_contacts(request.user, filters.q), filters.page)
    paging = page.paging
    return {"count": paging.count, "count_capped": paging.count_capped, "page": paging.number,
            "has_next": paging.has_next, "items": [_item(contact) for contact in page.contacts]}


@router.get("/{contact_id}", response={200: ContactDetailOut, 404: schemas.ErrorOut}, summary="One contact")
def get_contact(request: HttpRequest, contact_id: ContactId) -> dict[str, Any]:
    return _detail(request, _contact_for(request, contact_id))


@router.patch("/{contact_id}", response={200: ContactDetailOut, 400: schemas.ErrorOut, 403: schemas.ErrorOut,
                                         404: schemas.ErrorOut},
              summary="Update the name, type or language",
              description="Fields left out stay as they are. Allowed when one of the contact's cases is yours to "
                          "change (administrators: any contact).")
def update_contact(request: HttpRequest, contact_id: ContactId, body: ContactUpdateIn) -> dict[str, Any]:
    contact = _contact_for(request, contact_id)
    try:
        actions.edit_contact(
            contact, actor=request.user,
            display_name=contact.display_name if body.name is None else body.name,
            kind=contact.kind if body.kind is None else body.kind,
            language=contact.language if body.language is None else body.language)
    except (PermissionError, ValueError) as exc:
        raise _refuse(exc) from None
    return _detail(request, contact)


@router.post("/{contact_id}/identities", response={201: IdentityOut, 400: schemas.ErrorOut, 403: schemas.ErrorOut,
                                                   404: schemas.ErrorOut, 409: TakenOut},
             summary="Add an email address, phone number or handle",
             description="409 when another contact has it already: merge the two contacts instead.")
def add_identity(request: HttpRequest, contact_id: ContactId, body: IdentityIn) -> Status:
    contact = _contact_for(request, contact_id)
    try:
        identity = actions.add_identity(contact, actor=request.user, kind=body.kind, raw_value=body.value)
    except actions.IdentityTaken as exc:
        owner = contacts_visible_to(request.user).filter(pk=exc.owner.pk).values_list("pk", flat=True).first()
        return Status(409, {"detail": str(exc), "contact": owner})
    except (PermissionError, ValueError) as exc:
        raise _refuse(exc) from None
    return Status(201, _identity(identity))


@router.delete("/{contact_id}/identities/{identity_id}",
               response={204: None, 400: schemas.ErrorOut, 403: schemas.ErrorOut, 404: schemas.ErrorOut},
               summary="Remove an email address, phone number or handle",
               description="Allowed when every case of the contact is yours to change, since replies on those cases "
                           "may go there. An address that asked for no more messages stays (400).")
def remove_identity(request: HttpRequest, contact_id: ContactId, identity_id: IdentityId) -> Status:
    contact = _contact_for(request, contact_id)
    identity = Identity.objects.filter(pk=identity_id, contact_id=contact.pk).first()
    if identity is None:
        raise HttpError(404, f"Contact {contact_id} has no identity {identity_id}.")
    identity.contact = contact
    try:
        actions.remove_identity(identity, actor=request.user)
    except (PermissionError, ValueError) as exc:
        raise _refuse(exc) from None
    return Status(204, None)
