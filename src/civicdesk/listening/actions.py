"""The writes staff and jobs make: alerts acknowledged, merged or dismissed; posts deleted and purged by age."""

from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from civicdesk.listening import store
from civicdesk.listening.models import Alert, AlertStatus, Post, Stream


class AlertError(ValueError):
    pass


def _handle(alert: Alert, status: str, user: AbstractBaseUser | None, note: str) -> Alert:
    alert.status = status
    alert.handled_by = user  # type: ignore[assignment]
    alert.handled_at = timezone.now()
    alert.note = note
    alert.save(update_fields=["status", "handled_by", "handled_at", "note", "merged_into"])
    return alert


@transaction.atomic
def acknowledge_alert(alert: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    return _handle(alert, AlertStatus.ACKNOWLEDGED, user, note)


@transaction.atomic
def dismiss_alert(alert: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    """Dismissed: no longer shown as open. The stream's sensitivity and rules do not change (nothing is tuned
    silently); staff change the stream's sensitivity themselves."""
    return _handle(alert, AlertStatus.DISMISSED, user, note)


@transaction.atomic
def merge_alert(alert: Alert, into: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    """One surge seen twice: the alert points at the one kept, whose keys gain the merged alert's keys."""
    if alert.pk == into.pk or into.merged_into_id is not None or alert.stream_id != into.stream_id:
        raise AlertError("An alert merges into another open alert of the same stream.")
    into.keys = list(dict.fromkeys([*into.keys, *alert.keys]))
    into.posts = max(into.posts, alert.posts)
    into.save(update_fields=["keys", "posts"])
    alert.merged_into = into
    return _handle(alert, AlertStatus.MERGED, user, note)


@transaction.atomic
def delete_platform_posts(platform: str, post_ids: Iterable[str]) -> int:
    """A deletion on the platform removes the stored post at once (the live sources call this on delete events)."""
    return store.delete_posts(platform, post_ids)


def purge_expired_posts(batch: int = 5000) -> int:
    """Delete posts older than their stream's retention_days, in batches; minute counts and alerts are kept."""
    deleted = 0
    for stream in Stream.objects.all():
        cutoff = timezone.now() - timedelta(days=stream.retention_days)
        while True:
            with transaction.atomic():
                ids = list(Post.objects.filter(stream=stream, created_at__lt=cutoff).values_list("pk", flat=True)[
                    :batch])
                if not ids:
                    break
                deleted += Post.objects.filter(pk__in=ids).delete()[0]
    return deleted
