"""Public scorecard benchmark on 1M cases, SQLite and PostgreSQL: GET /scorecard/ and one agency's page (budget:
200 ms each), plus the time of one refresh of the precomputed figures (unbudgeted; it runs every 30 s).

Usage: python bench/bench_scorecard.py [--cases N] [--only sqlite|postgres] [--runs 10]
It reuses bench_metrics' cached databases and metric figures (bench/generate.py, var/bench/), refreshes the
scorecard's published figures with the real scorecard.actions.refresh, then times anonymous requests through
Django's test Client (server time, median of `--runs`).
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_bench_metrics")  # the metrics bench's database
import bench_metrics  # noqa: E402
import engines  # noqa: E402

BUDGET_MS = 200
WARMUP = 2


def run_engine(engine: str, runs: int) -> list[str]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from civicdesk.agencies.models import Agency
    from civicdesk.scorecard.actions import refresh

    print(bench_metrics.ensure_figures(engine), flush=True)
    started = time.perf_counter()
    rows = refresh()
    print(f"scorecard refresh ({engine}): {rows} periods computed in {time.perf_counter() - started:.1f} s; again: ",
          end="", flush=True)
    started = time.perf_counter()
    rows = refresh()
    print(f"{rows} periods in {time.perf_counter() - started:.1f} s (the current month and the year)", flush=True)
    agency = Agency.objects.order_by("pk").first()
    assert agency is not None
    client = Client()
    results = []
    for name, path in (("the city page", "/scorecard/"), ("one agency's page", f"/scorecard/{agency.slug}/"),
                       ("the city's JSON", "/scorecard/scorecard.json")):
        for _ in range(WARMUP):
            assert client.get(path).status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        ms = statistics.median(timings)
        results.append(f"GET {path} {name} ({engine}): {ms:.0f} ms median, {len(captured.captured_queries)} queries "
                       f"(<= {BUDGET_MS} ms) " + ("PASS" if ms <= BUDGET_MS else "FAIL"))
        print(results[-1], flush=True)
    print(f"({engines.load()})", flush=True)
    return results


if __name__ == "__main__":
    sys.exit(engines.main(__file__, __doc__ or "", run_engine))
