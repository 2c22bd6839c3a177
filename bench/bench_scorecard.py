"""Public scorecard benchmark on 1M cases, SQLite and PostgreSQL: GET /scorecard/ and one agency's page (budget:
200 ms each), plus the time of one refresh of the precomputed figures (unbudgeted; it runs every 30 s).

Usage: python bench/bench_scorecard.py [--cases N] [--only sqlite|postgres] [--runs 10]
It reuses bench_metrics' cached databases and metric figures (bench/generate.py, var/bench/), refreshes the
scorecard's published figures with the real scorecard.actions.refresh, then times anonymous requests through
Django's test Client (server time, median of `--runs`).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_bench_metrics")  # the metrics bench's database
import bench_metrics  # noqa: E402
import generate  # noqa: E402

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
    print(f"({bench_metrics.load()})", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=generate.DEFAULT_CASES)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        results = run_engine(args.engine, args.runs)
        return 1 if any(r.endswith("FAIL") for r in results) else 0
    (generate.BENCH_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
    status = 0
    for engine in ("sqlite", "postgres"):
        if args.only and engine != args.only:
            continue
        url = generate.sqlite_url(args.cases) if engine == "sqlite" else generate.postgres_url(args.cases)
        built = generate.generate(args.cases, url)
        if not built.cached:
            print(generate.report(engine, built), flush=True)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
               "CIVICDESK_VAR_DIR": str(generate.BENCH_DIR / "var"), "DEBUG": "false", "LOG_LEVEL": "WARNING",
               "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
        child = subprocess.run([sys.executable, __file__, "--engine", engine, "--runs", str(args.runs)], env=env,
                               cwd=ROOT)
        status = status or child.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
