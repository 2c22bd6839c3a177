"""The triage view's reads (read-only): the streams, posts and alerts a staff member sees, the volume per minute
with the alerts marked, the posts' places, and the incidents declared from alerts. A fixed number of queries per
page, whatever the number of rows."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import shapely
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.crisis.models import Incident, IncidentStatus
from civicdesk.crisis.queries import staff_incidents
from civicdesk.gis.models import Area
from civicdesk.listening.models import Alert, AlertStatus, Category, CountKind, MinuteCount, Post, Stream

ALERT_SOURCE = "listening-alert:"  # crisis.Incident.source of an incident declared from an alert
WINDOWS = {"hour": (timedelta(hours=1), 1), "day": (timedelta(days=1), 15), "week": (timedelta(days=7), 120)}
MAP_POINTS = 2000


def streams_for(user: Any) -> QuerySet[Stream]:
    """The streams of the user's agencies; administrators see every stream (streams of no agency too)."""
    if is_admin(user):
        return Stream.objects.all()
    return Stream.objects.filter(agency_id__in=agency_ids(user))


def stream_ids(user: Any) -> list[int]:
    return list(streams_for(user).values_list("pk", flat=True))


def visible_alerts(user: Any) -> QuerySet[Alert]:
    return Alert.objects.filter(stream_id__in=stream_ids(user)).select_related("stream", "handled_by")


def visible_posts(user: Any) -> QuerySet[Post]:
    return Post.objects.filter(stream_id__in=stream_ids(user))


def alert_source(alert_id: int) -> str:
    return f"{ALERT_SOURCE}{alert_id}"


def incidents_of(alerts: list[Alert]) -> dict[int, Incident]:
    """The incident declared from each alert, by alert id (one query for the whole list)."""
    if not alerts:
        return {}
    found = Incident.objects.filter(source__in=[alert_source(a.pk) for a in alerts]).order_by("declared_at")
    return {int(i.source.removeprefix(ALERT_SOURCE)): i for i in found if i.source}


@dataclass
class Bucket:
    start: datetime
    posts: int = 0
    relevant: int = 0
    alerts: list[Alert] = field(default_factory=list)


@dataclass
class Volume:
    window: str
    start: datetime
    end: datetime
    minutes: int  # the width of a bucket
    buckets: list[Bucket]
    alerts: list[Alert]

    @property
    def total(self) -> int:
        return sum(b.posts for b in self.buckets)

    @property
    def relevant(self) -> int:
        return sum(b.relevant for b in self.buckets)

    @property
    def busiest(self) -> Bucket | None:
        busy = max(self.buckets, key=lambda b: b.relevant, default=None)
        return busy if busy is not None and busy.relevant else None


def volume(ids: list[int], window: str, now: datetime | None = None) -> Volume:
    """Posts (every one, and the relevant ones) per bucket of the window, summed over the streams, with the alerts
    raised in the window placed in their bucket. Two queries."""
    span, width = WINDOWS[window]
    now = now or timezone.now()
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - span
    step = timedelta(minutes=width)
    buckets = [Bucket(start + step * i) for i in range(int(span / step))]

    def slot(moment: datetime) -> Bucket | None:
        index = int((moment - start) / step)
        return buckets[index] if 0 <= index < len(buckets) else None

    rows = (MinuteCount.objects.filter(stream_id__in=ids, kind=CountKind.STREAM, key__in=["all", "relevant"],
                                       minute__gte=start, minute__lt=end)
            .values("minute", "key").annotate(n=Sum("posts")).order_by())
    for row in rows:
        bucket = slot(row["minute"])
        if bucket is not None:
            if row["key"] == "all":
                bucket.posts += row["n"]
            else:
                bucket.relevant += row["n"]
    alerts = list(Alert.objects.filter(stream_id__in=ids, raised_at__gte=start, raised_at__lt=end)
                  .order_by("raised_at"))
    for alert in alerts:
        bucket = slot(alert.raised_at)
        if bucket is not None:
            bucket.alerts.append(alert)
    return Volume(window, start, end, width, buckets, alerts)


def chart_data(found: Volume, labels: dict[str, str]) -> dict[str, Any]:
    """What triage.js draws: the same figures as the table below the chart."""
    fmt = "%H:%M" if found.window != "week" else "%a %H:%M"
    return {"labels": [timezone.localtime(b.start).strftime(fmt) for b in found.buckets],
            "posts": [b.posts for b in found.buckets], "relevant": [b.relevant for b in found.buckets],
            "alerts": [b.relevant if b.alerts else None for b in found.buckets], **labels}


def filter_posts(posts: QuerySet[Post], data: dict[str, Any], now: datetime | None = None) -> QuerySet[Post]:
    """The posts of the window matching the filters (cleaned by forms.PostFilterForm). Echoes and posts judged not
    relevant are left out unless their category is asked for."""
    span, _ = WINDOWS[data.get("window") or "day"]
    if not data.get("incident"):  # an incident's posts are all shown, whenever they were written
        posts = posts.filter(created_at__gte=(now or timezone.now()) - span)
    category = data.get("category")
    if category:
        posts = posts.filter(category=category)
    else:
        posts = posts.exclude(category=Category.NOT_RELEVANT).filter(is_echo=False)
    if data.get("urgent") == "yes":
        posts = posts.filter(urgent=True)
    elif data.get("urgent") == "no":
        posts = posts.filter(urgent=False)
    if data.get("lang"):
        posts = posts.filter(lang=data["lang"])
    if data.get("incident"):
        posts = posts.filter(incident_links__incident_id=data["incident"])
    if data.get("flagged") == "yes":
        posts = posts.filter(flag__isnull=False)
    area: Area | None = data.get("area")
    if area is not None:
        posts = posts.filter(pk__in=_inside(posts, area))
    return posts


def _inside(posts: QuerySet[Post], area: Area) -> list[int]:
    """Ids of the posts placed inside the area: its box in SQL, then the exact shape."""
    boxed = posts.filter(lat__gte=area.min_lat, lat__lte=area.max_lat, lon__gte=area.min_lon, lon__lte=area.max_lon)
    points = list(boxed.values_list("pk", "lon", "lat")[:50000])
    if not points:
        return []
    shape = shapely.from_wkb(bytes(area.wkb))
    return [pk for pk, lon, lat in points if shapely.contains_xy(shape, lon, lat)]


def post_rows(posts: QuerySet[Post]) -> QuerySet[Post]:
    """The list's rows with their stream, case link and misinformation flag (joined: no query per row)."""
    return (posts.select_related("stream", "case_link__case", "flag").prefetch_related("incident_links__incident")
            .defer("fingerprint").order_by("-created_at", "-pk"))


def places(posts: QuerySet[Post]) -> list[tuple[str, int, int]]:
    """The map's table alternative: (place, posts, urgent posts), the most posts first (one query)."""
    rows = (posts.exclude(place="").values("place")
            .annotate(n=Count("pk"), urgent=Count("pk", filter=Q(urgent=True))).order_by("-n", "place")[:30])
    return [(r["place"], r["n"], r["urgent"] or 0) for r in rows]


def map_points(posts: QuerySet[Post]) -> list[dict[str, Any]]:
    rows = (posts.filter(lat__isnull=False, lon__isnull=False)
            .order_by("-created_at").values("pk", "lat", "lon", "category", "urgent", "place", "text")[:MAP_POINTS])
    return [dict(row) for row in rows]


def open_alert_count(ids: list[int]) -> int:
    return Alert.objects.filter(stream_id__in=ids, status=AlertStatus.OPEN).count()


def category_names(alert: Alert) -> list[tuple[str, int]]:
    """The alert's categories by their names, the most posts first."""
    labels = dict(Category.choices)
    found = alert.categories if isinstance(alert.categories, dict) else {}
    return [(str(labels.get(key, key)), n) for key, n in sorted(found.items(), key=lambda kv: -kv[1])]


def groupable_incidents(user: Any, limit: int = 20) -> list[Incident]:
    """The active incidents the user sees on staff pages, newest first (the choices next to each post)."""
    return list(staff_incidents(user).filter(status=IncidentStatus.ACTIVE).order_by("-declared_at")[:limit])


def filtered_incident(user: Any, incident_id: int | None) -> Incident | None:
    """The incident the triage view is narrowed to, when the user may see it."""
    return staff_incidents(user).filter(pk=incident_id).first() if incident_id else None
