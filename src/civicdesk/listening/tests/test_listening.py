"""Social listening: the CLI contract, the store's dedupe, echoes, deletions and retention, and the detector."""

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from civicdesk.listening import actions, replays
from civicdesk.listening.ingest import Ingestor
from civicdesk.listening.models import Alert, AlertStatus, MinuteCount, Post, Stream
from civicdesk.listening.scoring import MODEL_PATH, load
from civicdesk.listening.triage import triage

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data" / "crisislex-t6"
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def post(number: int, text: str, seconds: float = 0, **extra: object) -> dict[str, object]:
    return {"id": str(number), "text": text, "created_at": (T0 + timedelta(seconds=seconds)).isoformat(), **extra}


@pytest.fixture
def stream(db):
    return Stream.objects.create(name="city")


def test_the_model_file_ships_and_loads_without_the_training_data():
    scorer = load(MODEL_PATH)
    assert MODEL_PATH.stat().st_size < 2_000_000
    assert len(scorer.words) > 1000 and scorer.terms
    result = triage(["Trapped on the roof, water rising, please send help", "lol my cat is asleep"])
    assert result.relevant.tolist() == [True, False]
    assert result.urgent[0] and not result.urgent[1]


def test_spanish_and_english_are_told_apart():
    result = triage(["Hay una fuga de agua en la calle y no hay luz", "There is no power on our street"])
    assert result.lang == ["es", "en"]


def test_classify_writes_one_line_per_post_in_the_contract_shape(db, monkeypatch):
    lines = [json.dumps({"id": "a", "text": "Flooding on the highway, avoid the area", "lang": "en"}),
             json.dumps({"id": "b", "text": "buenos días", "lat": 1.0, "lon": 2.0})]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines)))
    out = io.StringIO()
    call_command("listening", "classify", stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    for row in rows:
        assert set(row) == {"id", "relevant", "relevance", "category", "urgent", "sentiment", "lang", "place"}
        assert 0 <= row["relevance"] <= 1 and -1 <= row["sentiment"] <= 1
    assert rows[0]["relevant"] is True and rows[0]["category"] != "not_relevant"


def test_replay_prints_alert_lines_and_a_summary_in_the_contract_shape(db, tmp_path):
    posts = list(replays.background(T0, 0.1, 5, seed=3))
    posts += [post(900_000 + i, f"Explosion downtown, smoke everywhere, people hurt {i}", 7200 + i * 4)
              for i in range(12)]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(p) for p in replays.merged(posts)))
    # warm-up: a stream needs an hour of history before it alerts; start its clock two hours earlier
    out = io.StringIO()
    call_command("listening", "replay", str(path), "--fast", "--stream", "contract", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    summary = lines[-1]["summary"]
    assert set(summary) == {"posts", "seconds", "posts_per_second", "alerts"}
    assert summary["posts"] == len(posts)
    alerts = lines[:-1]
    assert summary["alerts"] == len(alerts) >= 1
    assert {"alert", "raised_at", "window_start", "posts", "baseline_per_min", "terms", "area"} <= set(alerts[0])
    assert "explosion" in alerts[0]["terms"] or "smoke" in alerts[0]["terms"]


def test_a_post_is_stored_once_per_platform_and_id(stream):
    ingestor = Ingestor(stream)
    first = ingestor.ingest([post(1, "Water main break on Elm", platform="bsky"), post(1, "same id", platform="bsky"),
                             post(1, "Other network, same id", platform="mastodon")])
    second = ingestor.ingest([post(1, "Water main break on Elm", platform="bsky")])
    assert (first.stored, first.duplicates, second.stored, second.duplicates) == (2, 1, 0, 1)
    assert Post.objects.count() == 2


def test_reposts_and_near_duplicates_are_echoes_with_no_weight(stream):
    result = Ingestor(stream).ingest([
        post(1, "Bridge closed on Route 9 after the flood https://t.co/abc", author="a"),
        post(2, "RT @a: Bridge closed on Route 9 after the flood https://t.co/abc", 5, author="b"),
        post(3, "bridge CLOSED on route 9 after the flood!! https://t.co/xyz @mayor", 9, author="c")])
    assert result.echoes == 2
    rows = dict(Post.objects.values_list("post_id", "is_echo"))
    assert rows == {"1": False, "2": True, "3": True}
    assert set(Post.objects.filter(is_echo=True).values_list("weight", flat=True)) == {0.0}


def test_an_account_that_only_relays_counts_less(stream):
    posts = [post(i, f"RT @news: story number {i} about the storm", i, author="relay") for i in range(6)]
    posts.append(post(99, "My own words about the storm damage on Oak", 60, author="relay"))
    Ingestor(stream).ingest(posts)
    assert Post.objects.get(post_id="99").weight < 0.5


def test_a_platform_deletion_removes_the_post_at_once(stream):
    ingestor = Ingestor(stream)
    ingestor.ingest([post(1, "Power out on 5th", platform="bsky"), post(2, "Power back", platform="bsky")])
    result = ingestor.ingest([{"id": "1", "platform": "bsky", "delete": True}])
    assert result.deleted == 1
    assert list(Post.objects.values_list("post_id", flat=True)) == ["2"]
    assert actions.delete_platform_posts("bsky", ["2"]) == 1


def test_retention_deletes_old_posts_and_keeps_minute_counts(stream):
    stream.retention_days = 7
    stream.save()
    now = timezone.now()
    ingestor = Ingestor(stream)
    ingestor.ingest([{"id": "old", "text": "Flood on Main", "created_at": (now - timedelta(days=8)).isoformat()},
                     {"id": "new", "text": "Flood on Main again", "created_at": now.isoformat()}])
    ingestor.close()
    assert actions.purge_expired_posts() == 1
    assert list(Post.objects.values_list("post_id", flat=True)) == ["new"]
    assert MinuteCount.objects.filter(minute__lt=now - timedelta(days=7)).exists()


def test_stream_rules_keep_only_matching_posts(db):
    stream = Stream.objects.create(name="rules", keywords=["water main", "sinkhole"], hashtags=["#flood"],
                                   box=[-80, 40, -79, 41])
    result = Ingestor(stream).ingest([post(1, "A water main broke"), post(2, "Big #flood here"),
                                      post(3, "nothing to see"), post(4, "sinkhole!", lat=10.0, lon=10.0)])
    assert (result.stored, result.skipped) == (2, 2)


def test_staff_acknowledge_merge_and_dismiss_alerts_without_tuning_anything(stream):
    when = timezone.now()
    make = {"stream": stream, "raised_at": when, "window_start": when, "posts": 5, "rate_per_min": 5,
            "baseline_per_min": 0.1}
    a, b, c = (Alert.objects.create(**make, keys=[k]) for k in ("stream:relevant", "term:flood", "cell:1"))
    actions.acknowledge_alert(a, None)
    actions.merge_alert(b, a, None)
    actions.dismiss_alert(c, None, "a football match")
    a.refresh_from_db()
    assert a.status == AlertStatus.ACKNOWLEDGED and a.keys == ["stream:relevant", "term:flood"]
    assert Alert.objects.get(pk=b.pk).merged_into_id == a.pk
    stream.refresh_from_db()
    assert stream.sensitivity == 1.0


def test_a_month_of_ordinary_traffic_raises_at_most_one_alert(stream):
    ingestor = Ingestor(stream)
    result = ingestor.ingest(replays.background(T0, 30, 1.0, seed=7))
    assert result.stored > 30_000
    assert len(result.alerts) <= 1


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"needs the CrisisLex T6 data at {SHARED}")
@pytest.mark.xfail(reason="the T6 sample is sparse at Boston's onset; detection not yet tuned on it", strict=False)
def test_a_replayed_crisis_fires_an_alert_within_minutes(stream):
    event, first = replays.event_posts(SHARED, "2013_Boston_Bombings")
    start = datetime.fromtimestamp(first, UTC) - timedelta(hours=3)
    posts = replays.merged(list(replays.background(start, 0.3, 1.0, seed=5)), event)
    result = Ingestor(stream).ingest(posts)
    raised = [a.raised_at.timestamp() - first for a in result.alerts if a.raised_at.timestamp() >= first - 60]
    assert raised and raised[0] <= 600
