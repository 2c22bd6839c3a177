"""Crisis broadcast: 100,000 alert subscribers queued (every delivery row written) within 10 s, on each engine.

Usage: python bench/bench_broadcast_queue.py [--subscribers 100000] [--only sqlite|postgres] [--database-url URL]
Each engine gets a fresh, migrated database (SQLite in a temporary directory; PostgreSQL: `civicdesk_broadcast_bench`
on the server `scripts/pg-test-server start` runs) with one agency, one SMS number, and the subscribers (60% by text,
40% by email, a tenth of them Spanish, spread over the demo wards and the whole city). The timed part is
crisis.actions.start_broadcast for a whole-city incident: the throttle estimate, one delivery row per subscriber
(bulk inserts in chunks of 5,000, in one transaction), the social post rows and the jobs that wake the sending lanes
(with the database task backend, so nothing is sent). Sending is throttled by design and not part of this budget.

| line | budget |
|---|---|
| `broadcast queue <engine>` | 100,000 delivery rows committed within 10 s |
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchserver import fresh_postgres  # noqa: E402

BUDGET_S = 10.0

CHILD = """
import json, time
from django.utils import timezone
from civicdesk.channels.models import ChannelAccount
from civicdesk.crisis import actions
from civicdesk.crisis.models import BroadcastDelivery, Subscription
from civicdesk.crisis.subscriptions import new_token
from civicdesk.gis.demo import seed_boundaries
from civicdesk.gis.models import Area
from civicdesk.testing.factories import create_agency

agency = create_agency("311", "Riverbend 311")
ChannelAccount.objects.create(channel="sms", provider="twilio", agency=agency, address="+15550100911")
seed_boundaries()
wards = [None, *Area.objects.filter(type_id="ward")]
now = timezone.now()
rows = []
for n in range(COUNT):
    sms = n % 5 < 3
    rows.append(Subscription(channel="sms" if sms else "email", status="active", created_at=now, confirmed_at=now,
                             address=f"+1215{2_000_000 + n:07d}" if sms else f"resident-{n}@example.com",
                             token=new_token(),
                             language="es" if n % 10 == 0 else "en", area=wards[n % len(wards)]))
Subscription.objects.bulk_create(rows, batch_size=5000)
incident = actions.declare(title_en="Flood", title_es="Inundación", summary_en="River Road is closed.",
                           summary_es="River Road está cerrada.", whole_city=True, agency=agency)
started = time.perf_counter()
broadcast = actions.start_broadcast(incident, text_en="Avoid River Road.", text_es="Evite River Road.",
                                    sms_en="Avoid River Road.", sms_es="Evite River Road.")
elapsed = time.perf_counter() - started
queued = BroadcastDelivery.objects.filter(broadcast=broadcast).count()
print(json.dumps({"seconds": elapsed, "queued": queued, "estimate_s": broadcast.estimate_seconds}))
"""


def run_engine(name: str, database_url: str, count: int) -> bool:
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "CIVICDESK_VAR_DIR": var, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
               "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "PYTHONPATH": str(ROOT / "src"),
               "LOG_LEVEL": "WARNING"}
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, check=True)
        code = "import django; django.setup()\n" + textwrap.dedent(CHILD).replace("COUNT", str(count))
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr[-3000:])
            print(f"broadcast queue {name}: FAIL (the child failed)")
            return False
        result = json.loads(done.stdout.strip().splitlines()[-1])
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else ["?"]
    ok = result["queued"] == count and result["seconds"] <= BUDGET_S
    print(f"broadcast queue {name}: {result['queued']:,} rows in {result['seconds']:.2f} s (budget {BUDGET_S:.0f} s; "
          f"throttle estimate {result['estimate_s']:,} s; load {' '.join(load)}) {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    ok = True
    if args.only in (None, "sqlite"):
        ok &= run_engine("sqlite", "", args.subscribers)
    if args.only in (None, "postgres"):
        try:
            url = args.database_url or fresh_postgres("civicdesk_broadcast_bench")
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"broadcast queue postgres: skipped (no PostgreSQL server: {type(exc).__name__})")
        else:
            ok &= run_engine("postgres", url, args.subscribers)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
