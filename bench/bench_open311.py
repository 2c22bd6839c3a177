"""Open311 benchmarks on 1M cases, SQLite and PostgreSQL: GET requests.json (1000 results), GET one request, POST rate.

Usage: python bench/bench_open311.py [--cases N] [--only sqlite|postgres] [--runs 20] [--posts 3000] [--post-only]
                                    [--workers N]
       python bench/bench_open311.py --database-url URL   (measure an existing database as it is)
GET figures are the median server time of `--runs` requests through Django's test Client (all middleware) after
warm-up, with the SQL query count of one request. The POST figure is requests per second of realtime POSTs sent by
8 client threads (in this process, apart from the server's, each on a keep-alive connection) to the web server
`civicdesk run` starts (runtime.supervisor.web_server: gunicorn with uvicorn workers on the ASGI app, WEB_WORKERS
of them unless --workers says otherwise) on 127.0.0.1, each answered only once its case is stored; with it, the
server's CPU time per POST (master and workers), which says what the rate would be on an idle machine. The cases
it makes are deleted afterwards so the shared bench database keeps its size.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

LIST_BUDGET_MS, ONE_BUDGET_MS, POST_BUDGET_PER_S = 200, 20, 200
WARMUP = 3
BENCH_APP = "bench-open311"
POST_THREADS = 8


def measure(call: Callable[[], Any], runs: int, view_call: Callable[[], Any]) -> tuple[float, int]:
    """Median ms of `call` (a test-Client request); queries counted on `view_call`, the view without the request
    cycle, because the end of a Client request closes the connection and its query log with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        call()
    with CaptureQueriesContext(connection) as captured:
        view_call()
    queries = len(captured.captured_queries)  # read now: a new connection clears the log
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), queries


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run_engine(engine: str, runs: int) -> list[str]:
    import json

    import django

    django.setup()
    from django.test import Client, RequestFactory

    from civicdesk.cases.models import Case
    from civicdesk.open311 import views

    factory = RequestFactory()

    total = Case.objects.count()
    client = Client()
    results = []

    def get(url: str, check: Callable[[bytes], None]) -> Callable[[], None]:
        def call() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}: {response.content[:200]!r}")
            check(response.content)
        return call

    def thousand(body: bytes) -> None:
        if len(json.loads(body)) != 1000:
            raise RuntimeError(f"requests.json returned {len(json.loads(body))} results, not 1000")

    ms, queries = measure(get("/open311/v2/requests.json", thousand), runs,
                          lambda: views.request_collection(factory.get("/"), fmt="json"))
    results.append(f"open311 GET requests.json, 1000 results, {total:,} cases ({engine}): {ms:.1f} ms median, "
                   f"{queries} queries (<= {LIST_BUDGET_MS} ms) {verdict(ms <= LIST_BUDGET_MS)}")
    print(results[-1], flush=True)
    number = Case.objects.filter(service__isnull=False).order_by("-created_at").values_list("public_id", flat=True)[500]
    ms, queries = measure(get(f"/open311/v2/requests/{number}.xml", lambda body: None), runs,
                          lambda: views.request_detail(factory.get("/"), fmt="xml", number=number))
    results.append(f"open311 GET requests/{{id}}.xml ({engine}): {ms:.1f} ms median, {queries} queries "
                   f"(<= {ONE_BUDGET_MS} ms) {verdict(ms <= ONE_BUDGET_MS)}")
    print(results[-1], flush=True)
    return results


def cleanup() -> int:
    """Delete what the POST run made (cases, payloads, contacts stay untouched: the POSTs carry no identity)."""
    import django

    django.setup()
    from civicdesk.cases.models import Case
    from civicdesk.channels.models import InboundPayload
    from civicdesk.open311.models import ApiKey

    cases = Case.objects.filter(source_app=BENCH_APP)
    count = cases.count()
    InboundPayload.objects.filter(case__in=cases).delete()
    cases.delete()
    ApiKey.objects.filter(app_name=BENCH_APP).delete()
    return count


def cpu_seconds(root_pid: int) -> float:
    """CPU time (user + system) so far of a process and its children (gunicorn's master and workers); Linux."""
    pids = [root_pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()]
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    except OSError:
        return float("nan")
    return total / os.sysconf("SC_CLK_TCK")


def web_workers(env: dict[str, str]) -> int:
    """The number of web workers `civicdesk run` starts with this environment (settings.WEB_WORKERS)."""
    code = "import django; django.setup(); from django.conf import settings; print(settings.WEB_WORKERS)"
    run = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(run.stdout.strip())


def post_rate(env: dict[str, str], total: int, workers: int) -> tuple[float, float]:
    """Requests per second of `total` realtime POSTs through the web server of `civicdesk run`, and its CPU ms per
    POST (master and workers)."""
    from civicdesk.runtime.supervisor import web_server

    run = [sys.executable, "-m", "civicdesk", "open311", "key", "create", BENCH_APP, "--rate-limit", "100000000"]
    key = subprocess.run(run, env=env, cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(web_server("127.0.0.1", port, workers).argv, env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/open311/v2/discovery.json")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        counter = iter(range(total))
        lock = threading.Lock()
        failures: list[str] = []

        def worker() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                body = urllib.parse.urlencode({
                    "api_key": key, "service_code": "pothole", "lat": f"{40.0 + n * 1e-6:.6f}", "long": "-75.15",
                    "attribute[size]": "like_a_car_tire", "description": f"Bench pothole {n} {time.time()}"})
                connection.request("POST", "/open311/v2/requests.json", body=body,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
                response = connection.getresponse()
                data = response.read()
                if response.status != 200:
                    failures.append(f"{response.status} {data[:200]!r}")

        counter = iter(range(10 * POST_THREADS))  # warm-up on as many keep-alive connections: every worker serves
        warm = [threading.Thread(target=worker) for _ in range(POST_THREADS)]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        counter = iter(range(total))
        threads = [threading.Thread(target=worker) for _ in range(POST_THREADS)]
        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu_ms = (cpu_seconds(server.pid) - cpu_before) * 1000 / total
        if failures:
            print(f"  {len(failures)} POSTs failed, first: {failures[0]}", flush=True)
        return (total - len(failures)) / elapsed, cpu_ms
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench(engine: str, url: str, args: argparse.Namespace) -> int:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
           "CIVICDESK_VAR_DIR": str(generate.BENCH_DIR / "var"), "DEBUG": "false", "LOG_LEVEL": "WARNING",
           "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend", "ALLOWED_HOSTS": "127.0.0.1,testserver"}
    status = 0
    if not args.post_only:
        status = subprocess.run([sys.executable, __file__, "--engine", engine, "--runs", str(args.runs)], env=env,
                                cwd=ROOT).returncode
    if args.posts:
        workers = args.workers or web_workers(env)
        try:
            rate, cpu_ms = post_rate(env, args.posts, workers)
        finally:
            subprocess.run([sys.executable, __file__, "--cleanup"], env=env, cwd=ROOT, check=False)
        print(f"open311 POST requests, ASGI server of civicdesk run with {workers} workers, {POST_THREADS} clients "
              f"({engine}): {rate:.0f}/s, server CPU {cpu_ms:.1f} ms per POST (>= {POST_BUDGET_PER_S}/s) "
              f"{verdict(rate >= POST_BUDGET_PER_S)}", flush=True)
        status = status or int(rate < POST_BUDGET_PER_S)
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=generate.DEFAULT_CASES)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--posts", type=int, default=3000,
                        help="POSTs for the sustained-rate figure, about 15 s (0 skips it).")
    parser.add_argument("--workers", type=int,
                        help="Web workers for the POST rate (default: what `civicdesk run` starts, WEB_WORKERS).")
    parser.add_argument("--post-only", action="store_true", help="Only the POST rate (skip the GET figures).")
    parser.add_argument("--database-url", help="Measure this existing database instead of generating one.")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--cleanup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cleanup:
        print(f"  removed {cleanup()} bench cases", flush=True)
        return 0
    if args.engine:
        return 1 if any(r.endswith("FAIL") for r in run_engine(args.engine, args.runs)) else 0
    (generate.BENCH_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
    if args.database_url:
        engine = "sqlite" if args.database_url.startswith("sqlite") else "postgres"
        return bench(engine, args.database_url, args)
    status = 0
    for engine in ("sqlite", "postgres"):
        if args.only and engine != args.only:
            continue
        url = generate.sqlite_url(args.cases) if engine == "sqlite" else generate.postgres_url(args.cases)
        built = generate.generate(args.cases, url)
        if not built.cached:
            print(generate.report(engine, built), flush=True)
        status = bench(engine, url, args) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
