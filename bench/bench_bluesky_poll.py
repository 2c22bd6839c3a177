"""Bluesky: how long a mention on a real local PDS takes to be on a case, through `civicdesk run`'s polling.

Usage: python bench/bench_bluesky_poll.py [--mentions 8] [--spread 75] [--poll-seconds 30]

A local AT Protocol network (@atproto/dev-env: PDS, PLC, AppView; `make atproto-dev-env` installs it) gets an
agency account and a resident. A fresh SQLite database (migrated, one agency, the handle connected with an app
password) is served by the real `civicdesk run` (its scheduler runs channels.tasks.poll_due_accounts every 5 s, the
"social" worker polls the account every --poll-seconds, SOCIAL_POLL_SECONDS). After a warm-up mention (the first
poll logs in), the resident posts --mentions mentions (with their mention facets, as the Bluesky app writes them) at
random moments over --spread seconds, so they land at every phase of the polling cycle. This process watches the
database every 0.2 s: a mention is "on a case" when its inbound message is; its delay runs from the post's
createRecord answer. The acknowledgement each new case posts back goes to the same PDS through the real adapter.

| line | budget |
|---|---|
| `bluesky mentions on a case` | every mention on a case within one polling interval (--poll-seconds) |

Without the dev-env the line says SKIP (no verdict).
"""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchserver import free_port, wait_until_serving  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src")]






def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=8)
    parser.add_argument("--spread", type=float, default=75.0)
    parser.add_argument("--poll-seconds", type=int, default=30)
    args = parser.parse_args()
    from civicdesk.channels.providers.bluesky import devenv

    reason = devenv.missing()
    if reason:
        print(f"bluesky mentions on a case: {reason} SKIP", flush=True)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="bench-bluesky-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}", "CIVICDESK_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "SITE_URL": f"http://127.0.0.1:{port}", "SOCIAL_POLL_SECONDS": str(args.poll_seconds),
           "BLUESKY_CHAT_ENABLED": "false", "BENCH_BLUESKY_APP_PASSWORD": ""}
    with devenv.running_network() as network:
        from civicdesk.channels.providers.bluesky.tests.pds import create_person

        city, resident = create_person(network.pds, "city311.test"), create_person(network.pds, "maria.test")
        env["BENCH_BLUESKY_APP_PASSWORD"] = city.app_password("bench")
        os.environ.update(env)
        subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        import django

        django.setup()
        from django.conf import settings
        from django.db import connection

        from civicdesk.agencies.models import Agency
        from civicdesk.cases.models import Direction, Message
        from civicdesk.channels.providers.bluesky.actions import connect_bluesky_account

        agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
        connect_bluesky_account(agency=agency, handle="city311.test", service=network.pds,
                                password_variable="BENCH_BLUESKY_APP_PASSWORD")
        log = (workdir / "server.log").open("wb")
        server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port",
                                   str(port), "--no-smtp"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(port, server)

            def on_case(uri: str) -> bool:
                found = Message.objects.filter(direction=Direction.INBOUND, provider_message_id=uri,
                                               case__isnull=False).exists()
                connection.close()
                return found

            def mention(n: int) -> tuple[str, float]:
                uri, _ = resident.post(f"@city311.test streetlight number {n} is out", mentions={
                    "city311.test": city.did})
                return uri, time.time()

            warm, _ = mention(0)
            deadline = time.monotonic() + 300
            while not on_case(warm):
                if time.monotonic() > deadline:
                    raise RuntimeError("the warm-up mention was not on a case within 300 s")
                time.sleep(0.5)
            rng = random.Random(12)
            moments = sorted(rng.uniform(0, args.spread) for _ in range(args.mentions))
            start, posted = time.monotonic(), {}
            for n, at in enumerate(moments, start=1):
                time.sleep(max(0.0, start + at - time.monotonic()))
                uri, when = mention(n)
                posted[uri] = when
            seen: dict[str, float] = {}
            deadline = time.monotonic() + args.poll_seconds * 3
            while len(seen) < len(posted) and time.monotonic() < deadline:
                rows = Message.objects.filter(direction=Direction.INBOUND, provider_message_id__in=list(posted),
                                              case__isnull=False).values_list("provider_message_id", flat=True)
                now = time.time()
                for uri in rows:
                    seen.setdefault(uri, now)
                connection.close()
                time.sleep(0.2)
        except Exception:
            print((workdir / "server.log").read_text(errors="replace")[-3000:], flush=True)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
    delays = sorted(seen[uri] - posted[uri] for uri in seen)
    missing = len(posted) - len(seen)
    worst = delays[-1] if delays else float("inf")
    ok = not missing and worst <= args.poll_seconds
    print(f"bluesky mentions on a case: {len(seen)}/{len(posted)} within {worst:.1f} s at worst "
          f"(median {statistics.median(delays) if delays else float('nan'):.1f} s; budget: one polling interval, "
          f"{args.poll_seconds} s) {'PASS' if ok else 'FAIL'}", flush=True)
    print(f"  detail: delays {', '.join(f'{d:.1f}' for d in delays)} s; load average {os.getloadavg()[0]:.1f}",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
