"""Read-only questions about listening: open alerts, an alert's sample posts, a stream's volume per minute."""

from datetime import datetime

from django.db.models import QuerySet

from civicdesk.listening.models import Alert, AlertStatus, CountKind, MinuteCount, Post


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
