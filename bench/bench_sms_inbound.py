"""Inbound SMS: signed Twilio webhooks at a fixed rate into `civicdesk run`, answer latency and time to a case.

Usage: python bench/bench_sms_inbound.py [--rate 300] [--seconds 60] [--senders 6000] [--only sqlite|postgres]
                                         [--connections 64] [--database-url URL]
Each engine gets a fresh database (SQLite in a temporary directory; PostgreSQL: `civicdesk_sms_bench` on the
server `scripts/pg-test-server start` runs), migrated, with one agency and one Twilio number. The real
`civicdesk run` serves it (web workers, a task worker per queue, the scheduler; no SMTP listener). A client
subprocess sends signed requests exactly as Twilio does (X-Twilio-Signature from the twilio SDK's
RequestValidator.compute_signature over the public URL and the form) open-loop: request i leaves at start + i/rate
whether or not earlier ones were answered, on one of up to --connections keep-alive connections (a new one opens
when all are busy). The answer latency runs from the scheduled send time, so a server that falls behind cannot hide
it. Texts come from --senders numbers in turn (the first text of a number makes a case, later ones continue it).
Each new case's acknowledgement text goes, through the real adapter and the
sms queue's worker, to a stand-in for Twilio's Messages API in this process (201 and a sid). Meanwhile this
process polls the database every 0.2 s for the inbound messages it has not seen yet: a text is "on
a case" from the poll that first sees its message, and its delay runs from the moment it was sent.

| line | budget |
|---|---|
| `sms inbound webhooks` | answered rate >= --rate for the whole window, p99 answer <= 50 ms, every answer 200 |
| `sms inbound texts on a case` | every text on exactly one case message within 5 s of receipt |

A detail line gives the load average, the server's CPU per text split into web and workers, the client's, and
the queries one webhook makes (measured in this process through the test client).
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
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import benchserver
from benchserver import free_port, verdict, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
RATE, ANSWER_P99_MS, CASE_WITHIN_S = 300, 50, 5.0
OUR_NUMBER = "+15550100300"
ACCOUNT_SID = "AC" + "0" * 31 + "7"
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
TEXTS = ["Pothole on Elm Street, about a foot wide.", "Streetlight out at Maple and 4th.",
         "Water main break on River Road, flooding the street.", "Tree down across Cedar Lane.",
         "Is the shelter on Oak Ridge Rd open tonight?", "Power lines down on Birch St. Please send someone."]


def build_requests(url: str, total: int, senders: int, tag: str) -> list[tuple[str, bytes]]:
    """(MessageSid, raw HTTP request) for each text, signed as Twilio signs (done before the clock starts)."""
    from twilio.request_validator import RequestValidator

    from civicdesk.channels.providers.twilio.sender import sms_params

    validator = RequestValidator(AUTH_TOKEN)
    parts = urlsplit(url)
    built = []
    for n in range(total):
        sid = f"SM{tag}{n:031d}"
        params = sms_params(from_=f"+1215555{n % senders:04d}", to=OUR_NUMBER, sid=sid, account_sid=ACCOUNT_SID,
                            body=f"{TEXTS[n % len(TEXTS)]} ({n})")
        body = urlencode(params).encode()
        signature = validator.compute_signature(url, params)
        head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/x-www-form-urlencoded"
                f"\r\nContent-Length: {len(body)}\r\nX-Twilio-Signature: {signature}\r\n"
                f"I-Twilio-Idempotency-Token: {sid}-idem\r\nUser-Agent: TwilioProxy/1.1\r\n\r\n")
        built.append((sid, head.encode() + body))
    return built


async def read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


async def send_open_loop(port: int, requests: list[tuple[str, bytes]], rate: float, connections: int,
                         max_connections: int) -> list[tuple[str, float, float, float, int]]:
    """Send request i at start + i/rate; returns (sid, scheduled, sent, answered, status) in epoch seconds."""
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    opened = connections
    results: list[tuple[str, float, float, float, int]] = []

    async def one(sid: str, raw: bytes, scheduled: float) -> None:
        nonlocal opened
        if idle.empty() and opened < max_connections:  # all busy: open one more rather than wait (open loop)
            opened += 1
            try:
                idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))
            except OSError:
                opened -= 1
        reader, writer = await idle.get()
        sent = time.time()
        try:
            writer.write(raw)
            status = await read_answer(reader)
            idle.put_nowait((reader, writer))
        except (OSError, asyncio.IncompleteReadError, ValueError):
            status = 0
            writer.close()
            try:
                idle.put_nowait(await asyncio.open_connection("127.0.0.1", port))
            except OSError:
                opened -= 1
        results.append((sid, scheduled, sent, time.time(), status))

    loop = asyncio.get_running_loop()
    start_wall, start_loop = time.time() + 0.05, loop.time() + 0.05
    tasks = []
    for i, (sid, raw) in enumerate(requests):
        due = start_loop + i / rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(sid, raw, start_wall + i / rate)))
    await asyncio.gather(*tasks)
    return results


def client_main(args: argparse.Namespace) -> int:
    url = f"http://127.0.0.1:{args.send_to}{args.path}"
    requests = build_requests(url, args.total, args.senders, args.tag)
    print("ready", flush=True)
    sys.stdin.readline()
    cpu = time.process_time()
    results = asyncio.run(send_open_loop(args.send_to, requests, args.rate, args.connections, args.max_connections))
    Path(args.out).write_text(json.dumps({"cpu": time.process_time() - cpu, "results": results}))
    return 0


# --- the measuring process ---------------------------------------------------------------------------------------

class CommitFrontier:
    """The highest message id below which every id has been seen. Workers side by side (PostgreSQL) commit their
    groups out of id order, so polling above the highest id seen would miss a group that commits after a later one;
    polling above this frontier finds it. An id left unseen GAP_SECONDS (a rolled-back group's) is passed over."""

    GAP_SECONDS = 3 * CASE_WITHIN_S

    def __init__(self, low: int) -> None:
        self.low, self.above, self.gap_since = low, set[int](), 0.0

    def saw(self, ids: list[int], now: float) -> None:
        self.above.update(i for i in ids if i > self.low)
        while self.above:
            if self.low + 1 in self.above:
                self.above.discard(self.low + 1)
                self.low, self.gap_since = self.low + 1, 0.0
            elif not self.gap_since:
                self.gap_since = now
                break
            elif now - self.gap_since > self.GAP_SECONDS:
                self.low = min(self.above) - 1  # over the whole gap
            else:
                break


def fresh_database(engine: str, workdir: Path) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / 'sms-bench.sqlite3'}"
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        base = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], capture_output=True, text=True,
                              check=True).stdout.strip()
    parts = urlsplit(base)
    name = os.environ.get("BENCH_PG_DATABASE", "civicdesk") + "_sms_bench"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url: str) -> None:
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
            pg.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def process_tree_cpu(root_pid: int) -> dict[int, tuple[str, float]]:
    """{pid: (command line, CPU seconds)} of a process and all its descendants; Linux."""
    found: dict[int, tuple[str, float]] = {}
    todo = [root_pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
        found[pid] = (cmd, (int(fields[11]) + int(fields[12])) / tick)
    return found


def split_cpu(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds spent between two snapshots, by role: web (gunicorn), workers (db_worker, and inbound_worker that
    applies the received payloads in batches), run (the rest)."""
    spent = {"web": 0.0, "workers": 0.0, "run": 0.0}
    for pid, (cmd, cpu) in after.items():
        role = "web" if "gunicorn" in cmd else "workers" if "db_worker" in cmd or "inbound_worker" in cmd else "run"
        spent[role] += cpu - before.get(pid, (cmd, 0.0))[1]
    return spent


def busiest(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], n: int) -> str:
    """The worker processes that spent the most CPU between two snapshots, as "name seconds" pairs."""
    spent = []
    for pid, (cmd, cpu) in after.items():
        words = cmd.split()
        name = words[words.index("--queue-name") + 1] if "--queue-name" in words else (
            "inbound_worker" if "inbound_worker" in cmd else "")
        if name:
            spent.append((cpu - before.get(pid, (cmd, 0.0))[1], name))
    return ", ".join(f"{name} {seconds:.1f} s" for seconds, name in sorted(spent, reverse=True)[:n])


def webhook_queries(path: str, url: str) -> int:
    """Queries of one signed webhook request, through the test client in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from twilio.request_validator import RequestValidator

    params = {"MessageSid": "SMqueries" + "0" * 25, "From": "+12155559999", "To": OUR_NUMBER, "Body": "Count me",
              "AccountSid": ACCOUNT_SID, "NumMedia": "0"}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, params)
    client = Client(HTTP_X_TWILIO_SIGNATURE=signature)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, urlencode(params), content_type="application/x-www-form-urlencoded")
    return len(captured.captured_queries) if response.status_code == 200 else -response.status_code


def server_trouble(path: Path, limit: int = 10) -> list[str]:
    """The server's first warnings and errors of our own (a failed batch, a restarted worker), for the report."""
    lines = path.read_text(errors="replace").splitlines()
    stop = next((n for n, line in enumerate(lines) if "shutting down" in line), len(lines))  # not the stop's own
    lines = lines[:stop]
    return [line[:300] for line in lines if ("WARNING civicdesk" in line or "ERROR" in line or "Traceback" in line
                                             or "exited with" in line)][:limit]


def measure(engine: str, args: argparse.Namespace, workdir: Path) -> bool:
    database_url = args.database_url or fresh_database(engine, workdir)
    port = free_port()
    twilio_api = benchserver.fake_twilio_api()
    env = {**os.environ, "DATABASE_URL": database_url, "CIVICDESK_VAR_DIR": str(workdir),
           "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "LOG_LEVEL": "WARNING", "DEBUG": "false",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_api.server_address[1]}",
           "TASKS_BACKEND": "django_tasks_db.DatabaseBackend", "ALLOWED_HOSTS": "127.0.0.1,testserver",
           "SITE_URL": f"http://127.0.0.1:{port}", "BENCH_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
           "BENCH_TWILIO_ACCOUNT_SID": ACCOUNT_SID}
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src")]
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Case, Direction, Message
    from civicdesk.channels.models import ChannelAccount, InboundPayload

    agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
    account = ChannelAccount(channel="sms", provider="twilio", agency=agency, address=OUR_NUMBER,
                             display_name="Bench number", credentials_ref="env:BENCH_TWILIO")
    account.save()
    path = f"/hooks/twilio/{account.pk}/"
    os.environ["CIVICDESK_INBOUND_WORKER_HERE"] = "1"  # as `civicdesk run` sets it for its web server (the spool)
    queries = webhook_queries(path, settings.SITE_URL + path) if not args.database_url else -1

    total = int(args.rate * args.seconds)
    warmup = 60  # every web worker and task worker has run its imports and first queries
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--no-smtp"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, server)
        warm = run_client(port, path, args, warmup, rate=min(args.rate, 100), tag="W", out=workdir / "client-W.json")
        wait_for_cases(Message, Direction, {r[0] for r in warm["results"]}, timeout=600)
        seen: dict[str, float] = {}
        last_id = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        load_before, idle_before, window_start = os.getloadavg(), benchserver.machine_idle(), time.time()
        cpu_before = process_tree_cpu(server.pid)
        client = start_client(port, path, args, total, rate=args.rate, tag="B", out=workdir / "client-B.json")
        client.stdin.write("go\n")  # type: ignore[union-attr]
        client.stdin.flush()  # type: ignore[union-attr]
        deadline = None
        frontier = CommitFrontier(last_id)
        while True:  # poll for new inbound messages until every sent text is seen or CASE_WITHIN_S * 4 passed
            rows = list(Message.objects.filter(pk__gt=frontier.low).order_by("pk")
                        .values_list("pk", "direction", "channel", "provider_message_id"))
            now = time.time()
            connection.close()  # a fresh snapshot each time
            for _pk, direction, channel, sid in rows:
                if direction == Direction.INBOUND and channel == "sms":
                    seen.setdefault(sid, now)
            frontier.saw([row[0] for row in rows], now)
            if deadline is None and client.poll() is not None:
                deadline = now + CASE_WITHIN_S * 4
            if deadline is not None and (now > deadline or len(seen) >= total):
                break
            time.sleep(0.2)
        client.wait(timeout=60)
        output = json.loads((workdir / "client-B.json").read_text())
        cpu_after = process_tree_cpu(server.pid)
        load_after, idle = os.getloadavg(), benchserver.machine_idle() - idle_before
        idle_share = idle / ((time.time() - window_start) * (os.cpu_count() or 1))
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
    results = output["results"]
    sent_window = max(r[2] for r in results) - min(r[1] for r in results)
    ok_answers = [r for r in results if r[4] == 200]
    answer_ms = sorted((r[3] - r[1]) * 1000 for r in results)
    p50, p99 = answer_ms[len(answer_ms) // 2], answer_ms[min(len(answer_ms) - 1, int(len(answer_ms) * 0.99))]
    answered_rate = len(ok_answers) / (max(r[3] for r in results) - min(r[1] for r in results))
    delays = sorted(seen[r[0]] - r[2] for r in ok_answers if r[0] in seen)
    missing = len(ok_answers) - len(delays)
    late = sum(1 for d in delays if d > CASE_WITHIN_S)
    counts = list(Message.objects.filter(provider_message_id__in=[r[0] for r in ok_answers], direction="in")
                  .values_list("provider_message_id", flat=True))
    duplicates = len(counts) - len(set(counts))
    cases = Case.objects.filter(channel="sms").count()
    stuck = InboundPayload.objects.filter(channel="sms", status="received").count()
    spent = split_cpu(cpu_before, cpu_after)
    n = max(len(results), 1)
    label = engine
    twilio_api.shutdown()
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r[4]] = statuses.get(r[4], 0) + 1
    print(f"  {len(results)} texts from {args.senders} numbers in {sent_window:.1f} s, {cases} cases; answers "
          f"{statuses}; load average {load_before[0]:.1f} -> {load_after[0]:.1f} ({os.cpu_count()} cores, "
          f"{idle_share:.0%} idle); CPU per "
          f"text: web {spent['web'] * 1000 / n:.2f} ms, workers {spent['workers'] * 1000 / n:.2f} ms "
          f"({spent['workers'] * 1000 / max(len(delays), 1):.2f} ms per text on a case in the window, idle queues' "
          f"polling included), run and "
          f"scheduler {spent['run'] * 1000 / n:.2f} ms, client {output['cpu'] * 1000 / n:.2f} ms; {queries} queries "
          f"per webhook; payloads left unprocessed {stuck}; busiest workers: {busiest(cpu_before, cpu_after, 4)}",
          flush=True)
    answers_ok = answered_rate >= args.rate * 0.99 and p99 <= ANSWER_P99_MS and len(ok_answers) == len(results)
    print(f"sms inbound webhooks, {args.rate:.0f}/s for {args.seconds:.0f} s ({label}): {answered_rate:.0f}/s "
          f"answered, p50 {p50:.1f} ms, p99 {p99:.1f} ms (>= {args.rate:.0f}/s, p99 <= {ANSWER_P99_MS} ms) "
          f"{verdict(answers_ok)}", flush=True)
    d50 = statistics.median(delays) if delays else float("nan")
    d99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))] if delays else float("nan")
    cases_ok = not missing and not late and not duplicates
    print(f"sms inbound texts on a case ({label}): {len(delays)}/{len(ok_answers)} seen, median {d50:.2f} s, p99 "
          f"{d99:.2f} s, max {delays[-1] if delays else float('nan'):.2f} s, {late} later than {CASE_WITHIN_S:.0f} s, "
          f"{missing} missing, {duplicates} duplicated (every one within {CASE_WITHIN_S:.0f} s) {verdict(cases_ok)}",
          flush=True)
    for line in server_trouble(workdir / "server.log"):
        print(f"  server: {line}", flush=True)
    from django.db import connections

    connections.close_all()
    if not args.database_url:
        drop_database(database_url)
    return answers_ok and cases_ok


def start_client(port: int, path: str, args: argparse.Namespace, total: int, rate: float, tag: str,
                 out: Path) -> subprocess.Popen[str]:
    client = subprocess.Popen([sys.executable, __file__, "--send-to", str(port), "--path", path, "--total",
                               str(total), "--rate", str(rate), "--senders", str(args.senders), "--tag", tag,
                               "--connections", str(args.connections), "--out", str(out)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert client.stdout is not None
    if client.stdout.readline().strip() != "ready":
        raise RuntimeError("the load client did not start")
    return client


def run_client(port: int, path: str, args: argparse.Namespace, total: int, rate: float, tag: str,
               out: Path) -> dict:
    client = start_client(port, path, args, total, rate, tag, out)
    client.communicate("go\n", timeout=600)
    return dict(json.loads(out.read_text()))


def wait_for_cases(message_model: type, direction: type, sids: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = message_model.objects.filter(provider_message_id__in=sids, direction=direction.INBOUND).count()
        if found >= len(sids):
            return
        time.sleep(0.2)
    raise RuntimeError(f"warm-up texts not on cases after {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=RATE, help="Texts per second (open loop).")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--senders", type=int, default=6000, help="Distinct resident numbers, used in turn.")
    parser.add_argument("--connections", type=int, default=64, help="Keep-alive connections opened up front.")
    parser.add_argument("--max-connections", type=int, default=256)
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
        workdir = Path(tempfile.mkdtemp(prefix="civicdesk-sms-bench-"))
        try:
            return 0 if measure(args.engine, args, workdir) else 1
        finally:
            if os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1: the server's log and database stay, for a look
                print(f"  kept {workdir}", flush=True)
            else:
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
