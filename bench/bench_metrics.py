"""Metrics API benchmark on 1M cases, SQLite and PostgreSQL: GET /api/metrics for one year grouped by agency in
business hours (budget: 500 ms), plus unbudgeted lines for other groupings and a filtered (per-case events) query.

Usage: python bench/bench_metrics.py [--cases N] [--only sqlite|postgres] [--runs 10]
The cases come from bench/generate.py (cached under var/bench/ and in the PostgreSQL database BENCH_PG_DATABASE,
civicdesk_bench_metrics by default); their metric events and daily rollups are built once by the real
metrics.actions.rebuild_all (timed and reported) and kept in the same cached database until metrics' code changes.
Figures are the median server time of `--runs` requests through Django's test Client with a personal API token.
"""

import hashlib
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_bench_metrics")  # not the database other benches share
import engines  # noqa: E402

BUDGET_MS = 500
WARMUP = 2
METRICS_CODE = ["timeline.py", "actions.py", "models.py", "stats.py"]


def metrics_fingerprint() -> str:
    digest = hashlib.sha256()
    folder = ROOT / "src" / "civicdesk" / "metrics"
    for path in [*(folder / name for name in METRICS_CODE), *sorted((folder / "migrations").glob("0*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_figures(engine: str) -> str:
    """Build the metric events and rollups of every case once; a line saying how long it took, or that it was cached."""
    from django.db import connection

    from civicdesk.metrics.actions import catch_up
    from civicdesk.metrics.models import DailyRollup, FiguresState, MetricEvent

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(40) PRIMARY KEY, value TEXT)")
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'metrics'")
        found = cursor.fetchone()
    if found and found[0] == metrics_fingerprint() and FiguresState.objects.filter(checked_at__isnull=False).exists():
        return f"metric figures ({engine}): cached, {MetricEvent.objects.count():,} events"
    started = time.perf_counter()
    FiguresState.objects.update_or_create(pk=1, defaults={"checked_at": None})
    cases = catch_up()  # a first run: rebuild_all
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_meta WHERE key = 'metrics'")
        cursor.execute("INSERT INTO bench_meta (key, value) VALUES ('metrics', %s)", [metrics_fingerprint()])
    return (f"metric figures ({engine}): built for {cases:,} cases in {seconds:.0f} s: {MetricEvent.objects.count():,} "
            f"events, {DailyRollup.objects.count():,} rollup rows")


def run_engine(engine: str, runs: int) -> list[str]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from civicdesk.api.actions import create_token

    print(ensure_figures(engine), flush=True)
    admin = User.objects.get(username="admin")
    supervisor = User.objects.filter(staff__role="supervisor").order_by("pk").first()
    today = timezone.localdate()
    year = {"from": str(today - timedelta(days=364)), "to": str(today)}
    results = []

    def measure(user: User, params: dict[str, str]) -> tuple[float, int, int]:
        client = Client(headers={"Authorization": f"Bearer {create_token(user, name='bench').raw}"})
        for _ in range(WARMUP):
            answer = client.get("/api/metrics", params)
            assert answer.status_code == 200, answer.content[:300]
        with CaptureQueriesContext(connection) as captured:
            groups = len(client.get("/api/metrics", params).json()["groups"])
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get("/api/metrics", params)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings), len(captured.captured_queries), groups

    checks = [
        ("one year by agency, business hours, administrator", admin, {**year, "group_by": "agency",
                                                                      "hours": "business"}, BUDGET_MS),
        ("one year by agency, business hours, a supervisor's agencies", supervisor,
         {**year, "group_by": "agency", "hours": "business"}, BUDGET_MS),
        ("one year by agency, calendar hours", admin, {**year, "group_by": "agency", "hours": "calendar"}, None),
        ("one year by agent, business hours", admin, {**year, "group_by": "agent", "hours": "business"}, None),
        ("one month by service, filtered to one channel (per-case events)", admin,
         {"from": str(today - timedelta(days=29)), "to": str(today), "group_by": "service", "hours": "business",
          "channel": "email"}, None),
    ]
    for name, user, params, budget in checks:
        if user is None:
            continue
        ms, queries, groups = measure(user, params)
        verdict = "" if budget is None else (f" (<= {budget} ms) " + ("PASS" if ms <= budget else "FAIL"))
        results.append(f"GET /api/metrics {name} ({engine}): {ms:.0f} ms median, {queries} queries, "
                       f"{groups} groups{verdict}")
        print(results[-1], flush=True)
    print(f"({engines.load()})", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(engines.main(__file__, __doc__ or "", run_engine))
