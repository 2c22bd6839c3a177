"""Core benchmarks on 1M cases, SQLite and PostgreSQL: staff inbox per filter, a 50-entry case page, text search.

Usage: python bench/bench_core.py [--cases N] [--only sqlite|postgres] [--runs 20]
Each engine runs in its own subprocess (Django reads DATABASE_URL once). Figures are the median server time of
`--runs` requests through Django's test Client (full middleware, views and templates) after warm-up, with the
SQL query count of one request. When the staff inbox pages do not exist yet the same filters are measured on
civicdesk.cases.queries directly, and the lines say so.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import generate  # noqa: E402

LIST_BUDGET_MS, LIST_MAX_QUERIES = 150, 15
CASE_PAGE_BUDGET_MS = 100
SEARCH_BUDGET_MS = 300
TIMELINE_ENTRIES = 50
PAGE_SIZE = 50  # rows the query-layer fallback fetches for a list page
WARMUP = 3
TIMELINE_SUBJECT = "Bench: case with a 50-entry timeline"


def measure(call: Callable[[], Any], runs: int) -> tuple[float, int]:
    """Median milliseconds of `runs` calls after warm-up, and the query count of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        call()
    with CaptureQueriesContext(connection) as captured:
        call()
    queries = len(captured.captured_queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), queries


def line(name: str, ms: float, queries: int, budget_ms: float, max_queries: int | None = None) -> str:
    ok = ms <= budget_ms and (max_queries is None or queries <= max_queries)
    budget = f"<= {budget_ms:g} ms" + (f", <= {max_queries} queries" if max_queries is not None else "")
    return f"{name}: {ms:.1f} ms median, {queries} queries ({budget}) {'PASS' if ok else 'FAIL'}"


def timeline_case() -> Any:
    """A case whose timeline has exactly TIMELINE_ENTRIES entries, made once through the real actions."""
    from django.contrib.auth.models import User

    from civicdesk.agencies.models import Service
    from civicdesk.cases import actions
    from civicdesk.cases.models import Case, CaseStatus
    from civicdesk.cases.queries import case_timeline
    from civicdesk.conversations import replies
    from civicdesk.testing.factories import create_case

    existing = Case.objects.filter(subject=TIMELINE_SUBJECT).first()
    if existing is not None and len(case_timeline(existing)) == TIMELINE_ENTRIES:
        return existing
    agent = User.objects.get(username="agent.publicworks")
    case = create_case(channel="email", service=Service.objects.get(code="pothole"), subject=TIMELINE_SUBJECT,
                       email="bench.timeline@example.com", body="A pothole that needs a long conversation.")
    statuses = [CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.OPEN]
    step = 0
    while len(case_timeline(case)) < TIMELINE_ENTRIES:
        remaining = TIMELINE_ENTRIES - len(case_timeline(case))
        if step % 3 == 0:
            replies.reply(case, author=agent, text=f"Update {step}: the crew is on it.")
        elif step % 3 == 1 or remaining < 2:
            actions.add_note(case, author=agent, text=f"Note {step}: checked on site.")
        else:
            actions.change_status(case, actor=agent, status=statuses[step % len(statuses)])
        step += 1
        case.refresh_from_db()
    return case


def search_examples() -> list[tuple[str, str]]:
    """What staff look cases up by besides words, taken from the generated data: a first name, a contact's email
    address, the last 7 digits of a phone number typed as 555-0123, the end of a case number and the start of one
    (with the year), a house number and street with the street type abbreviated, and a common word with a typo."""
    from civicdesk.cases.models import Case
    from civicdesk.contacts.models import Identity, IdentityKind

    email = Identity.objects.filter(kind=IdentityKind.EMAIL).order_by("pk").values_list("value", flat=True)[5000]
    phone = Identity.objects.filter(kind=IdentityKind.PHONE).order_by("pk").values_list("value", flat=True)[1234]
    year = Case.objects.order_by("-created_at").values_list("number", flat=True)[0].rsplit("-", 1)[0]
    return [("name", "Rosa"), ("email", email), ("phone fragment", f"{phone[-7:-4]}-{phone[-4:]}"),
            ("partial case number", "2001"), ("case number start", f"{year}-0020"), ("address", "100 Main St"),
            ("typo", "potholle")]


def run_engine(engine: str, runs: int) -> list[str]:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import Resolver404, resolve

    from civicdesk.cases.filters import CaseFilters
    from civicdesk.cases.models import Case
    from civicdesk.cases.queries import case_timeline, inbox_cases
    from civicdesk.testing.signin import staff_login

    admin = User.objects.get(username="admin")
    case = timeline_case()
    try:
        resolve("/staff/")
        resolve(f"/staff/cases/{case.number}/")
        has_ui = True
    except Resolver404:
        has_ui = False
    client = staff_login(Client(), admin)  # admins must use two-factor: a confirmed authenticator, session verified

    def page(url: str, as_client: Client = client) -> Callable[[], Any]:
        def call() -> None:
            response = as_client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
        return call

    def listing(**filters: Any) -> Callable[[], Any]:
        def call() -> None:
            cases = inbox_cases(admin, CaseFilters(**filters))
            list(cases[:PAGE_SIZE])
            cases.count()
        return call

    assignee = User.objects.get(username="agent.publicworks").pk
    filters: list[tuple[str, dict[str, Any]]] = [
        ("no filter", {}), ("status=open", {"statuses": ("open",)}), ("channel=sms", {"channel": "sms"}),
        ("agency=parks", {"agency": "parks"}), ("service=pothole", {"services": ("pothole",)}),
        ("assignee=agent.publicworks", {"assignee": assignee}),
    ]
    how = "" if has_ui else " [queries layer: /staff/ not built yet]"
    results = []
    if has_ui:  # an agent's inbox is scoped to their agency (an OR over agency, assignee and transfers)
        agent_client = staff_login(Client(), User.objects.get(username="agent.publicworks"))
        for label, query in [("no filter", ""), ("status=open", "status=open"), ("q=pothole", "q=pothole")]:
            ms, queries = measure(page(f"/staff/?{query}", agent_client), runs)
            results.append(line(f"inbox list as agent.publicworks, {label} ({engine})", ms, queries, LIST_BUDGET_MS,
                                LIST_MAX_QUERIES))
            print(results[-1], flush=True)
    for label, params in filters:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        call = page(f"/staff/?{query}") if has_ui else listing(**params)
        ms, queries = measure(call, runs)
        results.append(line(f"inbox list {label} ({engine}){how}", ms, queries, LIST_BUDGET_MS, LIST_MAX_QUERIES))
        print(results[-1], flush=True)

    if has_ui:
        call = page(f"/staff/cases/{case.number}/")
    else:
        def call() -> None:
            list(case_timeline(Case.objects.select_related("agency", "contact").get(number=case.number)))
    ms, queries = measure(call, runs)
    results.append(line(f"case page, {TIMELINE_ENTRIES} timeline entries ({engine}){how}", ms, queries,
                        CASE_PAGE_BUDGET_MS))
    print(results[-1], flush=True)

    searches = [(f"{kind} word", word) for kind, word in generate.SEARCH_WORDS.items()] + search_examples()
    for kind, text in searches:
        url = f"/staff/?{urlencode({'q': text})}"
        call = page(url) if has_ui else listing(q=text)
        matches = inbox_cases(admin, CaseFilters(q=text)).count()
        ms, queries = measure(call, runs)
        results.append(line(f"text search {kind} '{text}', {matches:,} matches ({engine}){how}", ms, queries,
                            SEARCH_BUDGET_MS))
        print(results[-1], flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=generate.DEFAULT_CASES)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        results = run_engine(args.engine, args.runs)
        return 1 if any(r.endswith("FAIL") for r in results) else 0
    (generate.BENCH_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants it
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
