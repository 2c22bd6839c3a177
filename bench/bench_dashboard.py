"""Staff dashboard benchmark on 1M cases, SQLite and PostgreSQL: GET /staff/dashboard/ (the live queue, budget 500 ms),
its polled panel /staff/dashboard/live/ (500 ms) and the trends page /staff/dashboard/trends/ (twelve months per
agency, business hours, with the map of missed targets; 500 ms), as a supervisor of the largest agency and as an
administrator.

Usage: python bench/bench_dashboard.py [--cases N] [--only sqlite|postgres] [--runs 10]
It reuses bench_metrics' cached databases and metric figures (bench/generate.py, var/bench/), and gives every open
case a resolution target once (a tenth of them past due, a fiftieth warned), kept in the same cached database.
Figures are the median server time of `--runs` requests through Django's test Client (signed in).
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_bench_metrics")  # the metrics bench's database
import bench_metrics  # noqa: E402
import engines  # noqa: E402

BUDGET_MS = 500
WARMUP = 2
BATCH = 5000


def ensure_targets(engine: str) -> str:
    """A resolution target for every open case, once: 10% breached, 2% warned and not yet due, the rest running."""
    from django.db import connection
    from django.utils import timezone

    from civicdesk.cases.filters import open_statuses
    from civicdesk.cases.models import Case
    from civicdesk.slas.models import CaseTarget, TargetKind

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(40) PRIMARY KEY, value TEXT)")
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'dashboard_targets'")
        if cursor.fetchone():
            return f"SLA targets ({engine}): cached, {CaseTarget.objects.count():,}"
    started, now = time.perf_counter(), timezone.now()
    ids = list(Case.objects.filter(status__in=open_statuses(), merged_into__isnull=True).values_list("pk", flat=True))
    for first in range(0, len(ids), BATCH):
        rows = []
        for i, pk in enumerate(ids[first:first + BATCH], start=first):
            breached, warned = i % 10 == 0, i % 50 == 1
            due = now - timedelta(hours=i % 200 + 1) if breached else now + timedelta(hours=i % 100 + 1)
            rows.append(CaseTarget(case_id=pk, kind=TargetKind.RESOLUTION, target_seconds=5 * 9 * 3600,
                                   started_at=due - timedelta(days=5), due_at=due, warn_at=due - timedelta(hours=8),
                                   warned_at=now - timedelta(minutes=5) if warned or breached else None,
                                   breached_at=due if breached else None))
        CaseTarget.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_meta (key, value) VALUES ('dashboard_targets', '1')")
    return f"SLA targets ({engine}): {len(ids):,} made in {time.perf_counter() - started:.0f} s"


def run_engine(engine: str, runs: int) -> list[str]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civicdesk.agencies.models import StaffProfile, StaffRole
    from civicdesk.cases.models import Case
    from civicdesk.testing.signin import staff_login

    print(bench_metrics.ensure_figures(engine), flush=True)
    print(ensure_targets(engine), flush=True)
    biggest = Case.objects.values("agency_id").annotate(n=Count("pk")).order_by("-n").first()
    assert biggest is not None
    supervisor = User.objects.filter(staff__role=StaffRole.SUPERVISOR,
                                     staff__agencies=biggest["agency_id"]).order_by("pk").first()
    if supervisor is None:
        supervisor = User.objects.create_user("bench.dashboard.supervisor", password=None)
        StaffProfile.objects.create(user=supervisor, role=StaffRole.SUPERVISOR).agencies.set([biggest["agency_id"]])
    admin = User.objects.get(username="admin")
    results = []
    checks = [("the live queue", "/staff/dashboard/"), ("its polled panel", "/staff/dashboard/live/"),
              ("the trends, 12 months by agency", "/staff/dashboard/trends/"),
              ("the trends, 12 weeks by service", "/staff/dashboard/trends/?period=week&group_by=service")]
    for who, user in (("a supervisor of the largest agency", supervisor), ("an administrator", admin)):
        client = staff_login(Client(), user)  # past two-factor when the account needs it
        for name, path in checks:
            for _ in range(WARMUP):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            ms = statistics.median(timings)
            results.append(f"GET {path} {name}, {who} ({engine}): {ms:.0f} ms median, "
                           f"{len(captured.captured_queries)} queries (<= {BUDGET_MS} ms) "
                           + ("PASS" if ms <= BUDGET_MS else "FAIL"))
            print(results[-1], flush=True)
    print(f"({engines.load()})", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(engines.main(__file__, __doc__ or "", run_engine))
