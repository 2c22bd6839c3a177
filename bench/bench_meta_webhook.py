"""Meta webhooks: signed batches of Messenger events into `civicdesk run`, answer latency and time to a case.

Usage: python bench/bench_meta_webhook.py [--batches 5] [--batch 100] [--rate 1000] [--seconds 60] [--per-post 50]
                                          [--senders 5000] [--only sqlite|postgres] [--database-url URL]
Each engine gets a fresh database (SQLite in a temporary directory; PostgreSQL: `civicdesk_meta_bench` on the
server `scripts/pg-test-server start` runs), migrated, with one agency and one Facebook Page. The real
`civicdesk run` serves it. Requests are signed exactly as Meta signs them (X-Hub-Signature-256: sha256= and the
hex HMAC-SHA256 of the raw body with the app secret), each an `object: page` document whose entry[] batches
Messenger messages (each its own mid, from --senders page-scoped ids in turn). Each new case's acknowledgement goes
through the real adapter and the social queue's worker to a stand-in for the Graph API's Send API in this process.

| line | budget |
|---|---|
| `meta batch of 100 answered` | every batch of --batch events answered 200 within 100 ms |
| `meta batch of 100 on cases` | all events of each batch on a case message within 5 s |
| `meta events sustained` | --rate events/s (posts of --per-post events, open loop) answered for --seconds; |
|  | every event on a case within 5 s of its post |

The sustained figures are what this machine (2 cores, shared) gives; the inbound path's batch worker belongs to
another change (smsfast), so a FAIL here reports the current pipeline's throughput.
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_sms_inbound as sms  # noqa: E402 (the shared open-loop client and server helpers)
import benchserver  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGE_ID = "104000000000777"
APP_SECRET = "bench-app-secret-0123456789abcdef"
PAGE_TOKEN = "EAAbench-page-token-0123456789"
BATCH_ANSWER_MS, CASE_WITHIN_S = 100, 5.0
TEXTS = sms.TEXTS


def document(tag: str, first: int, count: int, senders: int, now_ms: int) -> tuple[list[str], bytes]:
    """An `object: page` webhook with `count` Messenger messages (one entry per message, as Meta batches them)."""
    mids, entries = [], []
    for n in range(first, first + count):
        mid = f"m_{tag}{n:09d}"
        mids.append(mid)
        entries.append({"id": PAGE_ID, "time": now_ms, "messaging": [{
            "sender": {"id": f"69{n % senders:012d}"}, "recipient": {"id": PAGE_ID}, "timestamp": now_ms + n,
            "message": {"mid": mid, "text": f"{TEXTS[n % len(TEXTS)]} ({n})"}}]})
    return mids, json.dumps({"object": "page", "entry": entries}, separators=(",", ":")).encode()


def build_requests(path: str, port: int, total_events: int, per_post: int, senders: int,
                   tag: str) -> list[tuple[str, bytes, list[str]]]:
    """(post id, raw HTTP request, its mids), signed as Meta signs (done before the clock starts)."""
    from civicdesk.channels.signatures import hub_signature

    built = []
    now_ms = int(time.time() * 1000)
    for index, first in enumerate(range(0, total_events, per_post)):
        mids, body = document(tag, first, min(per_post, total_events - first), senders, now_ms)
        head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nX-Hub-Signature-256: {hub_signature(APP_SECRET, body)}\r\n"
                f"User-Agent: facebookexternalua\r\n\r\n")
        built.append((f"{tag}-{index}", head.encode() + body, mids))
    return built


def client_main(args: argparse.Namespace) -> int:
    built = build_requests(args.path, args.send_to, args.total, args.per_post, args.senders, args.tag)
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    results = asyncio.run(sms.send_open_loop(args.send_to, [(post, raw) for post, raw, _ in built], args.rate,
                                             args.connections, args.max_connections))
    mids = {post: ids for post, _, ids in built}
    Path(args.out).write_text(json.dumps({"cpu": time.process_time() - cpu, "results": results, "mids": mids}))
    return 0


def run_client(port: int, path: str, args: argparse.Namespace, total: int, per_post: int, posts_per_s: float,
               tag: str, out: Path) -> subprocess.Popen[str]:
    client = subprocess.Popen([sys.executable, __file__, "--send-to", str(port), "--path", path, "--total",
                               str(total), "--per-post", str(per_post), "--rate", str(posts_per_s), "--senders",
                               str(args.senders), "--tag", tag, "--connections", str(args.connections), "--out",
                               str(out)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert client.stdout is not None
    if client.stdout.readline().strip() != "ready":
        raise RuntimeError("the load client did not start")
    return client


def fake_graph_api() -> ThreadingHTTPServer:
    """The Send API as far as acknowledgements need it: 200 with a recipient and a new message id."""

    def answer(raw: bytes) -> dict[str, object]:
        recipient = (json.loads(raw or b"{}").get("recipient") or {}).get("id", "")
        return {"recipient_id": recipient, "message_id": "m_" + uuid.uuid4().hex}

    usage = '{"call_count":1,"total_cputime":1,"total_time":1}'
    return benchserver.fake_json_api(200, answer, {"X-App-Usage": usage})


def new_messages(message_model: type, last_id: int) -> tuple[dict[str, float], int]:
    """Inbound Facebook messages stored since `last_id`: {mid: now}, and the new last id (a fresh snapshot)."""
    from django.db import connection

    rows = list(message_model.objects.filter(pk__gt=last_id, direction="in", channel="facebook").order_by("pk")
                .values_list("pk", "provider_message_id"))
    now = time.time()
    connection.close()
    return {mid: now for _, mid in rows}, max([last_id, *(pk for pk, _ in rows)])


def watch(message_model: type, mids: set[str], last_id: int, until: float) -> tuple[dict[str, float], int]:
    """Poll every 0.2 s for inbound messages with these mids; {mid: first seen} until all are seen or `until`."""
    seen: dict[str, float] = {}
    while time.time() < until and len(seen) < len(mids):
        found, last_id = new_messages(message_model, last_id)
        seen.update({mid: stamp for mid, stamp in found.items() if mid in mids and mid not in seen})
        time.sleep(0.2)
    return seen, last_id


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> bool:
    if args.database_url:
        database_url = args.database_url
    elif engine == "sqlite":
        database_url = f"sqlite:///{workdir / 'meta-bench.sqlite3'}"
    else:
        os.environ.setdefault("BENCH_PG_DATABASE", "civicdesk_meta")
        database_url = sms.fresh_database(engine, workdir)
    port = sms.free_port()
    graph = fake_graph_api()
    env = {**os.environ, "DATABASE_URL": database_url, "CIVICDESK_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "META_GRAPH_URL": f"http://127.0.0.1:{graph.server_address[1]}/v25.0",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "SITE_URL": f"http://127.0.0.1:{port}", "BENCH_META_PAGE_TOKEN": PAGE_TOKEN,
           "BENCH_META_APP_SECRET": APP_SECRET, "BENCH_META_VERIFY_TOKEN": "bench-verify"}
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src")]
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    from django.conf import settings

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Case, Message
    from civicdesk.channels.models import ChannelAccount, InboundPayload

    agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
    account = ChannelAccount.objects.create(channel="facebook", provider="meta", agency=agency, address=PAGE_ID,
                                            display_name="Bench page", credentials_ref="env:BENCH_META")
    path = f"/hooks/meta/{account.pk}/"
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--no-smtp"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    label = engine
    try:
        sms.wait_until_serving(port, server)
        last_id = 0
        # warm-up: every web and task worker has imported and queried once
        warm = run_client(port, path, args, 200, 20, 10, "W", workdir / "client-W.json")
        warm.communicate("go\n", timeout=600)
        warm_mids = {m for ids in json.loads((workdir / "client-W.json").read_text())["mids"].values() for m in ids}
        _, last_id = watch(Message, warm_mids, last_id, time.time() + 120)
        # batches of --batch events, one post at a time, a few seconds apart
        batch_answers, batch_delays, batch_missing = [], [], 0
        for number in range(args.batches):
            out = workdir / f"client-B{number}.json"
            client = run_client(port, path, args, args.batch, args.batch, 1, f"B{number}x", out)
            client.communicate("go\n", timeout=120)
            output = json.loads(out.read_text())
            [(post, scheduled, sent, answered, status)] = output["results"]
            mids = set(output["mids"][post])
            seen, last_id = watch(Message, mids, last_id, answered + CASE_WITHIN_S * 3)
            batch_answers.append(((answered - sent) * 1000, status))
            batch_delays.append(max((seen[m] - sent for m in mids if m in seen), default=float("inf")))
            batch_missing += len(mids) - len(seen)
        # sustained: --rate events/s in posts of --per-post
        total = int(args.rate * args.seconds)
        load_before, cpu_before = os.getloadavg(), sms.process_tree_cpu(server.pid)
        out = workdir / "client-S.json"
        client = run_client(port, path, args, total, args.per_post, args.rate / args.per_post, "S", out)
        client.stdin.write("go\n")  # type: ignore[union-attr]
        client.stdin.flush()  # type: ignore[union-attr]
        seen_all: dict[str, float] = {}
        deadline = None
        while True:  # poll for new inbound messages until every event is seen or CASE_WITHIN_S * 4 after the end
            found, last_id = new_messages(Message, last_id)
            for mid, stamp in found.items():
                seen_all.setdefault(mid, stamp)
            if deadline is None and client.poll() is not None:
                output = json.loads(out.read_text())
                all_mids = {m for ids in output["mids"].values() for m in ids}
                deadline = time.time() + CASE_WITHIN_S * 4
            if deadline is not None and (time.time() > deadline or all_mids <= set(seen_all)):
                break
            time.sleep(0.2)
        cpu_after, load_after = sms.process_tree_cpu(server.pid), os.getloadavg()
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
        graph.shutdown()
    worst_answer = max(ms for ms, _ in batch_answers)
    answers_ok = all(status == 200 and ms <= BATCH_ANSWER_MS for ms, status in batch_answers)
    print(f"meta batch of {args.batch} answered ({label}): {args.batches} batches, answers "
          f"{', '.join(f'{ms:.0f}' for ms, _ in batch_answers)} ms, worst {worst_answer:.0f} ms "
          f"(<= {BATCH_ANSWER_MS} ms) {sms.verdict(answers_ok)}", flush=True)
    worst_case = max(batch_delays)
    cases_ok = batch_missing == 0 and worst_case <= CASE_WITHIN_S
    print(f"meta batch of {args.batch} on cases ({label}): all events of a batch on cases after "
          f"{', '.join(f'{d:.2f}' for d in batch_delays)} s, worst {worst_case:.2f} s, {batch_missing} missing "
          f"(<= {CASE_WITHIN_S:.0f} s) {sms.verdict(cases_ok)}", flush=True)
    results = output["results"]
    posted_at = {post: sent for post, _, sent, _, _ in results}
    event_post = {mid: post for post, ids in output["mids"].items() for mid in ids}
    ok_posts = {r[0] for r in results if r[4] == 200}
    window = max(r[3] for r in results) - min(r[1] for r in results)
    answered_rate = sum(len(output["mids"][p]) for p in ok_posts) / window
    delays = sorted(seen_all[m] - posted_at[event_post[m]] for m in all_mids if m in seen_all)
    missing = len(all_mids) - len(delays)
    late = sum(1 for d in delays if d > CASE_WITHIN_S)
    spent = sms.split_cpu(cpu_before, cpu_after)
    answer_ms = sorted((r[3] - r[1]) * 1000 for r in results)
    p99 = answer_ms[min(len(answer_ms) - 1, int(len(answer_ms) * 0.99))]
    stuck = InboundPayload.objects.filter(channel="facebook", status="received").count()
    print(f"  {len(results)} posts of {args.per_post} events, {Case.objects.filter(channel='facebook').count()} "
          f"cases; load average {load_before[0]:.1f} -> {load_after[0]:.1f} ({os.cpu_count()} cores); CPU per event: "
          f"web {spent['web'] * 1000 / max(total, 1):.2f} ms, workers {spent['workers'] * 1000 / max(total, 1):.2f} "
          f"ms; post answer p99 {p99:.0f} ms; payloads left unprocessed {stuck}", flush=True)
    d50 = statistics.median(delays) if delays else float("nan")
    sustained_ok = answered_rate >= args.rate * 0.99 and not missing and not late and len(ok_posts) == len(results)
    print(f"meta events sustained, {args.rate:.0f}/s for {args.seconds:.0f} s ({label}): {answered_rate:.0f}/s "
          f"answered, on a case median {d50:.2f} s, {late} later than {CASE_WITHIN_S:.0f} s, {missing} missing "
          f"(>= {args.rate:.0f}/s, each within {CASE_WITHIN_S:.0f} s) {sms.verdict(sustained_ok)}", flush=True)
    from django.db import connections

    connections.close_all()
    if not args.database_url:
        sms.drop_database(database_url)
    return answers_ok and cases_ok and sustained_ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=5, help="Single batches sent one after another.")
    parser.add_argument("--batch", type=int, default=100, help="Events in each single batch.")
    parser.add_argument("--rate", type=float, default=1000, help="Events per second, sustained (open loop).")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--per-post", type=int, default=50, help="Events per webhook post while sustained.")
    parser.add_argument("--senders", type=int, default=5000, help="Distinct page-scoped ids, used in turn.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-connections", type=int, default=128)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--database-url", help="Use this existing, migrated database (not dropped).")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--send-to", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--total", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tag", default="B", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send_to:
        return client_main(args)
    if args.engine:
        workdir = Path(tempfile.mkdtemp(prefix="civicdesk-meta-bench-"))
        try:
            return 0 if measure(args.engine, args, workdir) else 1
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    status = 0
    for engine in ("sqlite", "postgres"):  # Django reads DATABASE_URL once: each engine in a process of its own
        if args.only and engine != args.only:
            continue
        argv = [a for a in sys.argv[1:] if not a.startswith("--only") and a not in ("sqlite", "postgres")]
        status |= subprocess.run([sys.executable, __file__, *argv, "--engine", engine], cwd=ROOT).returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
