"""Reads of the api app: the live token for a raw bearer string, and the services and tags a user may read."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from civicdesk.agencies.models import Service
from civicdesk.api.models import ApiToken, hash_token
from civicdesk.cases.models import Case, Tag
from civicdesk.cases.permissions import agency_ids, is_admin, visible_cases


def live_token(raw_token: str) -> ApiToken | None:
    """The unrevoked token of an active user matching raw_token, with its user, or None."""
    raw_token = raw_token.strip()
    if not raw_token:
        return None
    return (ApiToken.objects.select_related("user", "user__staff")
            .filter(token_hash=hash_token(raw_token), revoked_at__isnull=True, user__is_active=True).first())


def visible_services(user: Any) -> QuerySet[Service]:
    """The services a staff member may read: every active service (the public catalogue) and, inactive too, those of
    their own agencies; administrators read them all."""
    services = Service.objects.select_related("agency", "default_team").order_by("group", "name", "code")
    if is_admin(user):
        return services
    return services.filter(Q(is_active=True) | Q(agency_id__in=agency_ids(user)))


def visible_tags(user: Any) -> QuerySet[Tag]:
    """The tags on at least one case the user can see (all tags for administrators), by name."""
    tags = Tag.objects.order_by("name")
    if is_admin(user):
        return tags
    on_visible = Case.tags.through.objects.filter(tag_id=OuterRef("pk"), case_id__in=visible_cases(user).values("pk"))
    return tags.filter(Exists(on_visible))
