"""Listening replay benchmark: `civicdesk listening replay FILE --fast` over a month of background traffic,
end to end (stored, triaged, counted, detected), on SQLite and PostgreSQL; reports posts per second, the replay's
peak and late RSS (memory must stay flat) and the alerts raised, which are false alarms (ordinary traffic only).

The background is 30 days of diurnal traffic (bench of 25 posts a minute by default, about 1.1 million posts) whose
texts are CrisisLex T6's off-topic tweets when ../shared/data/crisislex-t6 exists (so about 5% of posts look
relevant to the classifier and feed the detector), else synthetic chatter (never relevant: the detector idles).

Usage: python bench/bench_listening_replay.py [--days 30] [--per-minute 25] [--only sqlite|postgres]
Prints lines `name: figure (budget) PASS|FAIL`.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
SHARED = ROOT.parent / "shared" / "data" / "crisislex-t6"
POSTS_PER_SECOND_BUDGET = 11_000
FALSE_ALARMS_PER_30_DAYS = 1
RSS_GROWTH_BUDGET = 1.10  # anonymous RSS at the end at most 10% above its figure half way through


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def write_background(path: Path, days: float, per_minute: float) -> tuple[int, str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    os.environ.setdefault("CIVICDESK_VAR_DIR", str(path.parent / "generator"))
    import django

    django.setup()
    from civicdesk.listening import replays

    texts = replays.off_topic_texts(SHARED) if SHARED.is_dir() else None
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for post in replays.background(datetime(2026, 1, 5, tzinfo=UTC), days, per_minute, seed=11, texts=texts):
            out.write(json.dumps(post) + "\n")
            count += 1
    return count, "CrisisLex T6 off-topic tweets" if texts else "synthetic chatter"


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """VmRSS counts SQLite's page cache (64 MiB) and its memory-mapped file (up to 256 MiB, settings.py) as they
    fill; RssAnon leaves out the mapped file."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def replay(engine: str, path: Path, total: int, env: dict[str, str]) -> list[str]:
    command = [sys.executable, "-m", "civicdesk", "listening", "replay", str(path), "--fast", "--stream", "bench"]
    samples: list[tuple[float, int, int]] = []
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def watch() -> None:
        while child.poll() is None:
            samples.append((time.perf_counter() - started, rss_kib(child.pid), rss_kib(child.pid, "RssAnon")))
            time.sleep(1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, err = child.communicate()
    watcher.join()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    if child.returncode != 0:
        return [f"listening replay ({engine}): crashed: {err[-500:]} FAIL"]
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    summary = lines[-1]["summary"]
    alerts = [line for line in lines[:-1] if "alert" in line]
    seconds = samples[-1][0] if samples else 1
    half = [anon for t, _, anon in samples if t >= seconds * 0.5 and anon] or [1]
    late = [anon for t, _, anon in samples if t >= seconds * 0.9 and anon] or [1]
    rss_end = max([rss for t, rss, _ in samples if t >= seconds * 0.9] or [0])
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    rate = summary["posts_per_second"]
    growth = max(late) / half[0]
    return [
        f"listening replay --fast ({engine}): {summary['posts']} posts in {summary['seconds']:.0f} s = {rate:,.0f} "
        f"posts/s (budget >= {POSTS_PER_SECOND_BUDGET:,}; load {' '.join(load_before)} -> {' '.join(load_after)}) "
        f"{verdict(rate >= POSTS_PER_SECOND_BUDGET and summary['posts'] == total)}",
        f"listening replay CPU ({engine}): {cpu:.0f} s of CPU for the replay process = {total / max(cpu, 1e-9):,.0f} "
        f"posts per CPU second (what one free core would give; the machine was shared)",
        f"listening replay memory ({engine}): anonymous RSS {half[0] / 1024:.0f} MiB at half way, "
        f"{max(late) / 1024:.0f} MiB at the end (VmRSS {rss_end / 1024:.0f} MiB with SQLite's cache and mapped file; "
        f"peak {max(r for _, r, _ in samples) / 1024:.0f} MiB) (budget: end <= {RSS_GROWTH_BUDGET:.2f} x half way) "
        f"{verdict(growth <= RSS_GROWTH_BUDGET)}",
        f"listening false alarms ({engine}): {len(alerts)} alerts over the replayed background "
        f"(budget <= {FALSE_ALARMS_PER_30_DAYS} per 30 days) {verdict(len(alerts) <= FALSE_ALARMS_PER_30_DAYS)}",
    ]


def prepare(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v0"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    code = ("from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('DELETE FROM listening_post'); c.execute('DELETE FROM listening_minutecount')\n"
            "    c.execute('DELETE FROM listening_alert')\n")
    subprocess.run([sys.executable, "-m", "civicdesk", "shell", "-c", code], cwd=ROOT, env=env, check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--per-minute", type=float, default=25)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "background.jsonl"
        total, source = write_background(path, args.days, args.per_minute)
        print(f"listening background: {total} posts over {args.days:g} days from {source}", flush=True)
        engines = [args.only] if args.only else ["sqlite", "postgres"]
        for engine in engines:
            env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "CIVICDESK_VAR_DIR": str(Path(tmp) / engine)}
            env.pop("DATABASE_URL", None)
            if engine == "postgres":
                url = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], capture_output=True,
                                     text=True, check=False).stdout.strip()
                if not url:
                    print("listening replay (postgres): no PostgreSQL test server; skipped")
                    continue
                env["DATABASE_URL"] = url
            prepare(env)
            for line in replay(engine, path, total, env):
                print(line, flush=True)
                results.append(line)
    return 1 if any(r.endswith("FAIL") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
