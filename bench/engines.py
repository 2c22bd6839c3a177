"""One start-up for the benches that run in-process against bench/generate.py's cached databases, per engine.

`main(script, doc, run_engine)` parses `--cases/--only/--runs`, builds (or reuses) each engine's database, then
re-runs `script` in a child process per engine with that database's settings, where `run_engine(engine, runs)`
returns its result lines (each ending in PASS, FAIL or nothing). The exit status is 1 if any line failed.
"""

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import generate

ROOT = Path(__file__).resolve().parent.parent
ENGINES = ("sqlite", "postgres")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def main(script: str, doc: str, run_engine: Callable[[str, int], list[str]]) -> int:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--cases", type=int, default=generate.DEFAULT_CASES)
    parser.add_argument("--only", choices=ENGINES)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        results = run_engine(args.engine, args.runs)
        return 1 if any(r.endswith("FAIL") for r in results) else 0
    (generate.BENCH_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants it
    status = 0
    for engine in ENGINES:
        if args.only and engine != args.only:
            continue
        url = generate.sqlite_url(args.cases) if engine == "sqlite" else generate.postgres_url(args.cases)
        built = generate.generate(args.cases, url)
        if not built.cached:
            print(generate.report(engine, built), flush=True)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
               "CIVICDESK_VAR_DIR": str(generate.BENCH_DIR / "var"), "DEBUG": "false", "LOG_LEVEL": "WARNING",
               "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
        child = subprocess.run([sys.executable, script, "--engine", engine, "--runs", str(args.runs)], env=env,
                               cwd=ROOT)
        status = status or child.returncode
    print(load(), flush=True)
    return status
