"""The writes staff and jobs make: alerts acknowledged, merged, dismissed or declared an incident; a case made from
a post (through the one intake, once); posts marked as misinformation; posts deleted and purged by age."""

import json
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.events import InboundMessage
from civicdesk.channels.models import Channel
from civicdesk.conversations.intake import accept
from civicdesk.conversations.pipeline import prepare
from civicdesk.crisis import actions as crisis_actions
from civicdesk.crisis.models import Incident
from civicdesk.listening import store
from civicdesk.listening.models import (
    Alert,
    AlertStatus,
    IncidentPost,
    Post,
    PostCase,
    PostEvent,
    PostEventKind,
    PostFlag,
    SourceKind,
    Stream,
)


class AlertError(ValueError):
    pass


def _handle(alert: Alert, status: str, user: AbstractBaseUser | None, note: str) -> Alert:
    alert.status = status
    alert.handled_by = user  # type: ignore[assignment]
    alert.handled_at = timezone.now()
    alert.note = note
    alert.save(update_fields=["status", "handled_by", "handled_at", "note", "merged_into"])
    return alert


def _event(kind: str, actor: Any, *, post: Post | None = None, alert: Alert | None = None, note: str = "",
           detail: str = "") -> PostEvent:
    return PostEvent.objects.create(
        kind=kind, post=post, post_ref=f"{post.platform}:{post.post_id}"[:250] if post else "", alert=alert,
        actor=actor if getattr(actor, "is_authenticated", False) else None, at=timezone.now(), note=note,
        detail=detail[:200])


@transaction.atomic
def acknowledge_alert(alert: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    _event(PostEventKind.ALERT_ACKNOWLEDGED, user, alert=alert, note=note)
    return _handle(alert, AlertStatus.ACKNOWLEDGED, user, note)


@transaction.atomic
def dismiss_alert(alert: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    """Dismissed: no longer shown as open. The stream's sensitivity and rules do not change (nothing is tuned
    silently); staff change the stream's sensitivity themselves."""
    _event(PostEventKind.ALERT_DISMISSED, user, alert=alert, note=note)
    return _handle(alert, AlertStatus.DISMISSED, user, note)


@transaction.atomic
def declare_from_alert(alert: Alert, user: Any, **fields: Any) -> tuple[Incident, bool]:
    """Declare an incident from an alert (crisis.actions.declare, its source "listening-alert:<id>"), once: an alert
    that already has its incident answers that one. An open alert is acknowledged by the same stroke."""
    locked = Alert.objects.select_for_update().get(pk=alert.pk)
    source = f"listening-alert:{locked.pk}"
    found = Incident.objects.filter(source=source).order_by("declared_at").first()
    if found is not None:
        return found, False
    incident = crisis_actions.declare(**fields, actor=user, source=source)
    _event(PostEventKind.INCIDENT_DECLARED, user, alert=locked, detail=incident.slug)
    if locked.status == AlertStatus.OPEN:
        _handle(locked, AlertStatus.ACKNOWLEDGED, user, gettext("An incident was declared from this alert."))
    return incident, True


# The channel a case made from a post is said to come from: the network's own, else the web (feeds and replays).
PLATFORM_CHANNELS = {SourceKind.JETSTREAM: Channel.BLUESKY, "bluesky": Channel.BLUESKY,
                     SourceKind.MASTODON: Channel.MASTODON, SourceKind.X: Channel.X}


def _post_payload(post: Post) -> bytes:
    """The raw bytes kept for the case (what the post was when the case was made; no click time in them, so a
    repeat is the same payload)."""
    return json.dumps({"listened_post": post.pk, "platform": post.platform, "post_id": post.post_id,
                       "created_at": post.created_at.isoformat(), "text": post.text, "url": post.url,
                       "lang": post.lang, "category": post.category, "urgent": post.urgent, "lat": post.lat,
                       "lon": post.lon, "place": post.place}, sort_keys=True).encode()


@transaction.atomic
def make_case(post: Post, user: Any) -> tuple[Case, bool]:
    """A case from a post through the one intake (conversations.intake.accept, the stored payload's provider id
    naming the post), linked to the post, exactly once: the post's row is locked, its link looked up, and the
    payload, the case and the link are written in this one transaction (a worker killed half-way leaves none of
    them; a second press finds the link). No contact is made from the post's author: nothing is sent to them."""
    locked = Post.objects.select_for_update().get(pk=post.pk)  # no join: PostgreSQL locks no outer-joined row
    locked.stream = Stream.objects.select_related("agency").get(pk=locked.stream_id)
    link = PostCase.objects.filter(post=locked).select_related("case").first()
    if link is not None:
        return link.case, False
    channel = PLATFORM_CHANNELS.get(locked.platform, Channel.WEB)
    provider_id = f"listening:{locked.platform}:{locked.post_id}"[:300]
    earlier = (Message.objects.filter(channel=channel, provider_message_id=provider_id, direction=Direction.INBOUND)
               .select_related("case").order_by("pk").first())
    if earlier is not None and earlier.case is not None:  # the same post, purged and listened to again: its case
        PostCase.objects.create(post=locked, case=earlier.case, made_by=None, made_at=timezone.now())
        return earlier.case, False
    text = locked.text.strip() + (f"\n\n{locked.url}" if locked.url else "")
    event = InboundMessage(
        channel=channel, provider_message_id=provider_id,
        subject=locked.get_category_display()[:300], body_text=text, visible_text=text,
        agency_slug=locked.stream.agency.slug if locked.stream.agency else "", lat=locked.lat, lon=locked.lon,
        address=locked.place[:300], language=locked.lang, permalink=locked.url, always_new_case=True,
        source_app="listening")
    result = accept(channel, _post_payload(locked), provider_message_id=event.provider_message_id,
                    meta={"source": "listening", "post": locked.pk}, content_type="application/json",
                    inline=True, prepared=[prepare(event)])
    case = result.case
    if case is None:
        raise RuntimeError("The intake made no case from the post.")
    PostCase.objects.create(post=locked, case=case, made_by=user if getattr(user, "is_authenticated", False)
                            else None, made_at=timezone.now())
    who = (user.get_full_name() or user.get_username()) if getattr(user, "is_authenticated", False) else ""
    Message.objects.create(
        case=case, direction=Direction.NOTE, channel=Channel.INTERNAL, is_automatic=True, created_at=timezone.now(),
        body_text=gettext("Made from a public post found by social listening (stream “%(stream)s”, posted "
                          "%(when)s) by %(who)s.") % {"stream": locked.stream.name,
                                                     "when": timezone.localtime(locked.created_at)
                                                     .strftime("%Y-%m-%d %H:%M"), "who": who or gettext("staff")})
    _event(PostEventKind.CASE_MADE, user, post=locked, detail=case.number)
    return case, True


@transaction.atomic
def mark_misinformation(post: Post, user: Any, *, marked: bool = True, note: str = "") -> bool:
    """Mark a post as misinformation (or take the mark off); recorded in PostEvent. False when nothing changed."""
    if marked:
        flag, created = PostFlag.objects.get_or_create(post=post, defaults={
            "flagged_by": user if getattr(user, "is_authenticated", False) else None, "flagged_at": timezone.now(),
            "note": note[:500]})
        if created:
            _event(PostEventKind.MARKED_MISINFORMATION, user, post=post, note=note)
        return created
    deleted = PostFlag.objects.filter(post=post).delete()[0]
    if deleted:
        _event(PostEventKind.UNMARKED_MISINFORMATION, user, post=post, note=note)
    return bool(deleted)


@transaction.atomic
def merge_alert(alert: Alert, into: Alert, user: AbstractBaseUser | None, note: str = "") -> Alert:
    """One surge seen twice: the alert points at the one kept, whose keys gain the merged alert's keys."""
    if alert.pk == into.pk or into.merged_into_id is not None or alert.stream_id != into.stream_id:
        raise AlertError("An alert merges into another open alert of the same stream.")
    into.keys = list(dict.fromkeys([*into.keys, *alert.keys]))
    into.posts = max(into.posts, alert.posts)
    into.save(update_fields=["keys", "posts"])
    alert.merged_into = into
    _event(PostEventKind.ALERT_MERGED, user, alert=alert, note=note, detail=f"into alert {into.pk}")
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


@transaction.atomic
def group_into_incident(post: Post, incident: Any, user: Any) -> bool:
    """Group the post into the incident (audited); False when it already was."""
    _link, created = IncidentPost.objects.get_or_create(
        incident=incident, post=post, defaults={"added_by": user if getattr(user, "is_authenticated", False) else None,
                                                "added_at": timezone.now()})
    if created:
        _event(PostEventKind.GROUPED, user, post=post, detail=incident.slug)
    return created


@transaction.atomic
def save_stream(form: Any, actor: Any) -> Stream:
    """A stream made or changed by staff (a valid StreamForm), audited with what changed. Its listener picks the
    change up within a minute (sources.base.Watch)."""
    changed = [name for name in form.changed_data if name != "add_crisis_terms"]
    before = {name: _plain(form.initial.get(name)) for name in changed} if form.instance.pk else {}
    stream = form.save()
    record(AuditAction.AGENCY_CHANGED, actor=actor, before={"stream": stream.name, **before},
           after={"stream": stream.name, "agency": stream.agency_id,
                  **{name: _plain(form.cleaned_data.get(name)) for name in changed}})
    return stream


def _plain(value: Any) -> Any:
    """A form value as the audit log's JSON keeps it: an object by its id."""
    if hasattr(value, "pk"):
        return value.pk
    return value if isinstance(value, (str, int, float, bool, list, type(None))) else str(value)
