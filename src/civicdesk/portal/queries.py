"""Read-only portal queries: services by topic, agencies with their services, and a resident's case."""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_

from django.db.models import Prefetch, Q, QuerySet
from django.utils.text import slugify

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.models import Attachment, Case, Direction, Message
from civicdesk.cases.queries import case_timeline
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


def case_by_number(number: str) -> Case | None:
    return Case.objects.filter(number=number).select_related("service", "agency", "merged_into").first()


def public_updates(case: Case) -> list[Message]:
    """What the resident may see: public replies and updates to them, and their own messages."""
    shown = []
    for item in case_timeline(case, public_only=True):
        message = item.message
        if message is None:
            continue
        if message.direction == Direction.OUTBOUND or (
            message.direction == Direction.INBOUND and case.contact_id and message.contact_id == case.contact_id
        ):
            shown.append(message)
    return shown


def public_photos(case: Case) -> QuerySet[Attachment]:
    """Photos the resident sent with this case (public attachments of their own messages)."""
    return Attachment.objects.filter(
        message__case=case, message__direction=Direction.INBOUND, message__contact_id=case.contact_id,
        is_public=True,
    ).order_by("pk") if case.contact_id else Attachment.objects.none()
