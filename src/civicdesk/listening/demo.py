"""Riverbend's social listening for the demo: a Public Works stream with a day of ordinary posts and, in the last
forty minutes, a surge about a burst water main on River Road (English and Spanish, some placed, some asking for
help), fed through the real ingest path (triage, minute counts, detector), and its alert, so the triage view at
/staff/listening/ is not empty; and a live stream of the city's own inbound channels. Authors are made-up handles."""

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from civicdesk.agencies.models import Agency
from civicdesk.gis.models import Area
from civicdesk.listening.ingest import Ingestor
from civicdesk.listening.models import Alert, AlertStatus, Post, SourceKind, Stream
from civicdesk.listening.replays import chatter

DEMO_STREAM = "Riverbend: water and streets"
OWN_STREAM = "Riverbend: our own channels"
SURGE = [
    "Water main burst on River Road, the street is flooding fast",
    "River Road is under water near 5th Street, huge water main break",
    "Please send help, water coming into our basement on River Road",
    "No water pressure at all in Ward 2 after the main break on River Road",
    "Avoid River Road, the road is closed and flooded",
    "Se rompió una tubería en River Road, la calle está inundada",
    "Necesitamos ayuda, el agua está entrando a la casa en River Road",
    "Cars stuck in the flood on River Road, someone call the city",
    "Is the tap water safe to drink after the River Road water main break?",
    "Crews are not here yet, water still gushing on River Road and 6th",
]


def _box() -> tuple[float, float, float, float]:
    ward = Area.objects.filter(type__slug="ward", name="Ward 2").order_by("-generation_high_id").first()
    if ward is not None:
        return ward.min_lon, ward.min_lat, ward.max_lon, ward.max_lat
    return -75.02, 39.98, -74.98, 40.02


def _posts(now: Any, rng: random.Random) -> list[dict[str, Any]]:
    start = now - timedelta(days=1)
    posts: list[dict[str, Any]] = []
    for minute in range(24 * 60 - 45):
        if rng.random() < 0.35:
            posts.append({"id": f"demo-bg-{minute}", "text": chatter(rng), "author": f"neighbour{rng.randrange(400)}",
                          "created_at": (start + timedelta(minutes=minute, seconds=rng.randrange(60))).isoformat(),
                          "platform": "bluesky"})
    min_lon, min_lat, max_lon, max_lat = _box()
    surge_start = now - timedelta(minutes=40)
    for n in range(70):
        at = surge_start + timedelta(seconds=20 + n * 30 + rng.randrange(20))
        text = f"{SURGE[n % len(SURGE)]} #{n}" if n >= len(SURGE) else SURGE[n]
        post: dict[str, Any] = {"id": f"demo-surge-{n}", "text": text, "author": f"resident{rng.randrange(900)}",
                                "created_at": at.isoformat(), "platform": "bluesky",
                                "url": f"https://bsky.app/profile/demo/post/surge{n}",
                                "lang": "es" if "River Road" in text and ("calle" in text or "casa" in text)
                                else "en"}
        if n % 3 != 2:
            post["lat"] = round(rng.uniform(min_lat, max_lat), 5)
            post["lon"] = round(rng.uniform(min_lon, max_lon), 5)
        posts.append(post)
    return sorted(posts, key=lambda p: p["created_at"])


def seed_listening() -> str:
    agency = Agency.objects.filter(slug="public-works").first()
    # read live by `civicdesk run` (the last day's reports first); the Jetstream stream has no address: offline
    Stream.objects.get_or_create(name=OWN_STREAM, defaults={"source": SourceKind.OWN_CHANNELS, "agency": agency})
    if Stream.objects.filter(name=DEMO_STREAM).exists():
        return "listening demo already there"
    stream = Stream.objects.create(name=DEMO_STREAM, source=SourceKind.JETSTREAM, agency=agency,
                                   keywords=[])  # every post of the source: ordinary chatter too
    now = timezone.now().replace(microsecond=0)
    ingestor = Ingestor(stream)
    ingestor.ingest(_posts(now, random.Random(14)))
    ingestor.close()
    if not Alert.objects.filter(stream=stream).exists():  # the detector's warm-up may be longer than a day
        samples = list(Post.objects.filter(stream=stream, post_id__startswith="demo-surge-")
                       .order_by("created_at").values_list("platform", "post_id")[:5])
        Alert.objects.create(
            stream=stream, status=AlertStatus.OPEN, raised_at=now - timedelta(minutes=31),
            window_start=now - timedelta(minutes=40), posts=22, rate_per_min=2.4, baseline_per_min=0.08,
            terms=["river", "road", "water", "main", "flood"], categories={"infrastructure": 14, "affected_people": 6},
            samples=[f"{p}:{i}" for p, i in samples], area={"cells": [], "box": list(_box()), "places": ["River Road"]},
            keys=["stream:relevant"])
    posts = Post.objects.filter(stream=stream).count()
    return f"a listening stream with {posts} posts and {Alert.objects.filter(stream=stream).count()} alert(s)"
