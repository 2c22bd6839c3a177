"""Read-only questions about listening: open alerts, an alert's sample posts, a stream's volume per minute, and
the post figures of crisis mode's incident dashboard."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from civicdesk.cases.models import Case, Message
from civicdesk.cases.permissions import visible_cases
from civicdesk.listening.models import Alert, AlertStatus, Category, CountKind, MinuteCount, Post, Stream

OWN_PLATFORM = "civicdesk"  # posts of our own inbound channels (sources/own_channels.py): each is a case's message


def case_of_own_post(post: Post, user: Any) -> Case | None:
    """The case whose message a post of our own channels copies, when this user may see it (None otherwise, and
    for posts of any other platform): such a post is already a case, and making another would duplicate it."""
    prefix = "message-"
    if post.platform != OWN_PLATFORM or not post.post_id.startswith(prefix) or not post.post_id[len(prefix):].isdigit():
        return None
    case_id = Message.objects.filter(pk=int(post.post_id[len(prefix):])).values_list("case_id", flat=True).first()
    return visible_cases(user).filter(pk=case_id).first() if case_id is not None else None


def open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(status=AlertStatus.OPEN).select_related("stream")


def sample_posts(alert: Alert) -> QuerySet[Post]:
    pairs = [ref.split(":", 1) for ref in alert.samples if ":" in ref]
    ids = [post_id for _, post_id in pairs]
    return Post.objects.filter(post_id__in=ids, platform__in={p for p, _ in pairs}).order_by("created_at")


def volume(stream_id: int, start: datetime, end: datetime, key: str = "relevant") -> list[tuple[datetime, int]]:
    rows = MinuteCount.objects.filter(stream_id=stream_id, kind=CountKind.STREAM, key=key, minute__gte=start,
                                      minute__lt=end).order_by("minute").values_list("minute", "posts")
    return list(rows)


def incident_figures(incident: Any) -> dict[str, int] | None:
    """crisis.dashboard's hook: relevant original posts of the incident agency's streams since it was declared (to
    its end), and how many of them are urgent. None when the agency has no stream."""
    streams = list(Stream.objects.filter(agency_id=incident.agency_id).values_list("pk", flat=True))
    if not streams:
        return None
    found = (Post.objects.filter(stream_id__in=streams, created_at__gte=incident.declared_at,
                                 created_at__lt=incident.ended_at or timezone.now(), is_echo=False)
             .exclude(category=Category.NOT_RELEVANT)
             .aggregate(posts=Count("pk"), urgent=Count("pk", filter=Q(urgent=True))))
    return {"posts": found["posts"], "urgent_posts": found["urgent"]}
