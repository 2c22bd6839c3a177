"""Mastodon streaming: a mention on the server is on a case within 3 s, through a real `civicdesk run`.

Usage: python bench/bench_mastodon_stream.py [--mentions 120] [--rate 4] [--only sqlite|postgres]
A fresh database (SQLite in a temporary directory; PostgreSQL: `civicdesk_mastodon_sms_bench` on the server
`scripts/pg-test-server start` runs) is migrated with one agency and one Mastodon account whose instance is a local
server speaking Mastodon's documented streaming API (civicdesk/channels/providers/mastodon/tests/sse_server.py:
`event: notification` / `data: {...}` lines on GET /api/v1/streaming/user, heartbeats, /api/v2/instance,
/api/v1/notifications for the catch-up, and POST /api/v1/statuses for the acknowledgements). The real
`civicdesk run` serves it: its `channels listen` child holds the account's stream, stores each event, and the
inbound worker makes the case; each new case's acknowledgement goes back through the social queue's worker.

Mentions (each from its own resident, a public mention or a DM in turn) are emitted at --rate per second, each
timed from the moment its event is written to the stream; this process polls the database every 0.1 s for the
inbound messages it has not seen, and a mention is "on a case" from the poll that first sees it.

| line | budget |
|---|---|
| `mastodon mention on a case` | every mention on exactly one case message within 3 s of being streamed |

A detail line gives the acknowledgements the server received (one per case, none posted twice) and the load.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(Path(__file__).resolve().parent)]

from bench_sms_inbound import drop_database, free_port, fresh_database, verdict, wait_until_serving  # noqa: E402

CASE_WITHIN_S = 3.0
OUR_ID = "109300000000000001"
TEXTS = ["The streetlight at Elm St and 3rd is out.", "Pothole on River Road by the school.",
         "Missed recycling pickup at 14 Oak Ave.", "Fallen branch blocking the Pine St sidewalk.",
         "Graffiti on the north bridge.", "Is the pool on Maple open this weekend?"]


def mention(n: int, tag: str) -> tuple[str, str]:
    """(status id, the notification's JSON) for mention n: a public mention or a DM, each from its own resident."""
    status_id, account_id = f"1094{tag}{n:012d}", f"2094{tag}{n:012d}"
    account = {"id": account_id, "username": f"resident{n}", "acct": f"resident{n}@neighbours.example",
               "display_name": f"Resident {n}", "url": f"https://neighbours.example/@resident{n}",
               "uri": f"https://neighbours.example/users/resident{n}-{tag}"}
    content = ('<p><span class="h-card"><a href="https://mastodon.riverbend.example/@riverbend311" '
               f'class="u-url mention">@<span>riverbend311</span></a></span> {TEXTS[n % len(TEXTS)]} ({n})</p>')
    status = {"id": status_id, "created_at": "2026-12-06T17:02:11.000Z", "in_reply_to_id": None,
              "visibility": "direct" if n % 2 else "public", "spoiler_text": "", "content": content,
              "account": account, "media_attachments": [], "language": "en",
              "mentions": [{"id": OUR_ID, "username": "riverbend311", "acct": "riverbend311"}],
              "url": f"https://neighbours.example/@resident{n}/{status_id}"}
    notification = {"id": f"3{tag}{n:09d}", "type": "mention", "created_at": status["created_at"],
                    "account": account, "status": status}
    return status_id, json.dumps(notification)


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> bool:
    from civicdesk.channels.providers.mastodon.tests.sse_server import TOKEN, StreamServer

    instance = StreamServer(heartbeat=5.0).start()
    os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_mastodon")  # its own database: civicdesk_mastodon_sms_bench
    database_url = fresh_database(engine, workdir)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "CIVICDESK_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "SITE_URL": f"http://127.0.0.1:{port}", "BENCH_MASTODON_ACCESS_TOKEN": TOKEN}
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Case, Direction, Message
    from civicdesk.channels.models import ChannelAccount, InboundPayload

    agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
    account = ChannelAccount(channel="mastodon", provider="mastodon", agency=agency,
                             address="riverbend311@mastodon.riverbend.example", display_name="Bench account",
                             credentials_ref="env:BENCH_MASTODON", cursor={"min_id": "0"})
    account.set_credentials({"api_base_url": instance.base_url, "account_id": OUR_ID, "acct": "riverbend311"})
    account.save()
    connection.close()

    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--no-smtp"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    seen: dict[str, float] = {}
    emitted: dict[str, float] = {}
    try:
        wait_until_serving(port, server)
        if not instance.connected.wait(120):
            raise RuntimeError("`channels listen` did not open the account's stream within 120 s")
        load_before = os.getloadavg()
        warm_id, warm = mention(0, "9")
        instance.emit("notification", warm)
        wait_seen(Message, Direction, warm_id, timeout=120)
        last_id = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        start = time.monotonic()
        for n in range(args.mentions):
            due = start + n / args.rate
            while time.monotonic() < due:
                last_id = collect(Message, Direction, seen, last_id)
                time.sleep(min(0.1, max(0.0, due - time.monotonic())))
            status_id, data = mention(n, "1")
            instance.emit("notification", data)
            emitted[status_id] = time.time()
        deadline = time.monotonic() + CASE_WITHIN_S * 4
        while time.monotonic() < deadline and not set(emitted) <= set(seen):
            last_id = collect(Message, Direction, seen, last_id)
            time.sleep(0.1)
        settle = time.monotonic() + 15  # the last acknowledgements (one per case, the warm-up's too)
        while time.monotonic() < settle and len(instance.posted) < len(emitted) + 1:
            time.sleep(0.2)
        load_after = os.getloadavg()
    except Exception:
        print((workdir / "server.log").read_text(errors="replace")[-3000:], flush=True)
        raise
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        instance.stop()
    delays = sorted(seen[sid] - emitted[sid] for sid in emitted if sid in seen)
    missing = len(emitted) - len(delays)
    late = sum(1 for d in delays if d > CASE_WITHIN_S)
    counts = list(Message.objects.filter(provider_message_id__in=list(emitted), direction="in")
                  .values_list("provider_message_id", flat=True))
    duplicates = len(counts) - len(set(counts))
    cases = Case.objects.filter(channel="mastodon").count()
    stuck = InboundPayload.objects.filter(channel="mastodon", status="received").count()
    keys = [post["idempotency_key"] for post in instance.posted]
    replied = sum(1 for post in instance.posted if post.get("in_reply_to_id"))
    print(f"  {len(emitted)} mentions at {args.rate:g}/s (public and DMs in turn), {cases} cases; acknowledgements "
          f"posted {len(instance.posted)} ({replied} in reply to the mention, {len(keys) - len(set(keys))} keys "
          f"repeated); payloads left unprocessed {stuck}; load average {load_before[0]:.1f} -> "
          f"{load_after[0]:.1f} ({os.cpu_count()} cores)", flush=True)
    d50 = statistics.median(delays) if delays else float("nan")
    d99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    ok = not missing and not late and not duplicates
    print(f"mastodon mention on a case ({engine}): {len(delays)}/{len(emitted)} seen, median {d50:.2f} s, p99 "
          f"{d99:.2f} s, max {delays[-1] if delays else float('nan'):.2f} s, {late} later than {CASE_WITHIN_S:.0f} s, "
          f"{missing} missing, {duplicates} duplicated (every one within {CASE_WITHIN_S:.0f} s) {verdict(ok)}",
          flush=True)
    from django.db import connections

    connections.close_all()
    drop_database(database_url)
    return ok


def collect(message_model: type, direction: type, seen: dict[str, float], last_id: int) -> int:
    from django.db import connection

    rows = list(message_model.objects.filter(pk__gt=last_id, direction=direction.INBOUND, channel="mastodon")
                .order_by("pk").values_list("pk", "provider_message_id"))
    now = time.time()
    connection.close()  # a fresh snapshot each time
    for pk, sid in rows:
        seen.setdefault(sid, now)
        last_id = max(last_id, pk)
    return last_id


def wait_seen(message_model: type, direction: type, status_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if message_model.objects.filter(provider_message_id=status_id, direction=direction.INBOUND).exists():
            return
        time.sleep(0.2)
    raise RuntimeError(f"the warm-up mention was not on a case after {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=120)
    parser.add_argument("--rate", type=float, default=4.0, help="Mentions per second.")
    parser.add_argument("--only", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mastodon-bench-") as tmp:
        return 0 if measure(args.only, args, Path(tmp)) else 1


if __name__ == "__main__":
    sys.exit(main())
