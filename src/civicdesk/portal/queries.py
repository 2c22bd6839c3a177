"""Read-only portal queries: services by topic, agencies with their services, and a resident's case."""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import slugify

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.models import Attachment, Case, Direction, Message
from civicdesk.contacts.identities import InvalidIdentity, normalize_email
from civicdesk.contacts.models import IdentityKind

MAX_SEARCH_TERMS = 8


@dataclass
class Topic:
    name: str
    slug: str
    services: list[Service] = field(default_factory=list)


def active_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True, agency__is_active=True).select_related("agency")


def search_services(text: str) -> QuerySet[Service]:
    """Active services whose name, description, topic or keywords contain every word of the search."""
    services = active_services()
    terms = text.split()[:MAX_SEARCH_TERMS]
    if terms:
        services = services.filter(reduce(and_, [
            Q(name__icontains=t) | Q(description__icontains=t) | Q(keywords__icontains=t) | Q(group__icontains=t)
            for t in terms
        ]))
    return services.order_by("group", "name")


def services_by_topic(text: str = "") -> list[Topic]:
    """Matching services grouped by topic (Service.group), in one query."""
    topics: dict[str, Topic] = {}
    for service in search_services(text):
        name = service.group or "Other"
        topic = topics.setdefault(name, Topic(name=name, slug=slugify(name) or "other"))
        topic.services.append(service)
    return list(topics.values())


def agencies_with_services() -> list[Agency]:
    """Active agencies that offer at least one active service, each with its services (two queries)."""
    services = Service.objects.filter(is_active=True).order_by("group", "name")
    agencies = (Agency.objects.filter(is_active=True, services__is_active=True).distinct()
                .prefetch_related(Prefetch("services", queryset=services, to_attr="active_services"))
                .order_by("name"))
    return list(agencies)


def service_for_form(code: str) -> Service | None:
    """An active service with its questions in order (two queries), or None."""
    return (active_services().filter(code=code)
            .prefetch_related("attributes").first())


def find_case_for_resident(number: str, email: str) -> Case | None:
    """The case with this number whose contact has this email address; None either way it fails."""
    try:
        email = normalize_email(email)
    except InvalidIdentity:
        return None
    return (Case.objects.filter(number=number.strip().upper(), contact__identities__kind=IdentityKind.EMAIL,
                                contact__identities__value=email)
            .select_related("service", "agency").first())


def case_by_public_id(public_id: str) -> Case | None:
    return (Case.objects.filter(public_id=public_id[:32])
            .select_related("service", "agency", "merged_into", "merged_into__agency").first())


def _written_on(case: Case) -> Q:
    """Messages written on this case: still on it, or moved by a merge to the case it was merged into."""
    return Q(case=case, origin_case__isnull=True) | Q(origin_case=case)


def public_updates(case: Case, *, exclude_written_on: Case | None = None) -> list[Message]:
    """Staff's public updates on a case (what everyone may see), oldest first."""
    updates = Message.objects.filter(case=case, is_public=True, is_automatic=False, update_of__isnull=True).exclude(
        direction=Direction.NOTE)
    if exclude_written_on is not None:
        updates = updates.exclude(origin_case=exclude_written_on)
    return list(updates.order_by("created_at", "id"))


def _resident_messages(case: Case) -> Q:
    """The resident's own messages on a case and what staff sent to that resident alone (never a follower copy)."""
    mine = Q(contact_id=case.contact_id) if case.contact_id else Q(contact__isnull=True)
    return mine & (Q(direction=Direction.INBOUND) | Q(direction=Direction.OUTBOUND, update_of__isnull=True))


def status_updates(case: Case, *, verified: bool) -> list[Message]:
    """The status page of a case: public updates written on it; for its verified resident also their own messages,
    their confirmation and the private replies to them. Never another resident's words, even after a merge."""
    public = Q(is_public=True, is_automatic=False, update_of__isnull=True)
    shown = public | _resident_messages(case) if verified else public
    if case.merged_into_id is None:
        scope = Q(case=case)
    else:  # after the merge the resident's new messages thread into the survivor
        scope = _written_on(case)
        if verified and case.contact_id:
            scope |= Q(case_id=case.merged_into_id, origin_case__isnull=True, direction=Direction.INBOUND,
                       contact_id=case.contact_id)
    messages = Message.objects.filter(scope).filter(shown).exclude(direction=Direction.NOTE)
    return list(messages.order_by("created_at", "id"))


def resident_photos(case: Case) -> QuerySet[Attachment]:
    """Photos the resident sent with this case (public attachments of their own messages), for them alone."""
    if not case.contact_id:
        return Attachment.objects.none()
    written = Q(message__case=case, message__origin_case__isnull=True) | Q(message__origin_case=case)
    return Attachment.objects.filter(written, message__direction=Direction.INBOUND,
                                     message__contact_id=case.contact_id, is_public=True).order_by("pk")


def public_photos(case: Case) -> QuerySet[Attachment]:
    """The resident photos written on this case that staff approved for its public page (published_at set)."""
    written = Q(message__case=case, message__origin_case__isnull=True) | Q(message__origin_case=case)
    return Attachment.objects.filter(written, message__direction=Direction.INBOUND, is_public=True,
                                     published_at__isnull=False).order_by("pk")


def area_name(case: Case) -> str:
    """The name of the boundary the case was routed by (a ward, a zone): a public, approximate place."""
    from civicdesk.gis.models import CaseRouting

    routing = CaseRouting.objects.filter(case_id=case.pk, area__isnull=False).select_related("area").first()
    return routing.area.name if routing and routing.area else ""


def expected_time(case: Case) -> object | None:
    """When the resident may expect the case to be done: the hook for issue 13's service levels (targets per
    service and priority). Until they exist nothing is promised, so the status page shows nothing: None."""
    return None
