"""Inbound SMS, CPU and queries per text in one process (no HTTP server, no other processes to share the cores with).

Usage: python bench/sms_cpu_per_text.py jobs|batch [TEXTS=900] [NUMBERS=300]   (DATABASE_URL: a fresh, empty
database; unset, a SQLite file in a temporary directory). Signed Twilio texts go through the test client (the whole
middleware stack, or the webhook fast path), then are processed: `jobs` runs each text's process_payload job body
(INBOUND_BATCH_WORKER off; django_tasks_db's claim and result per job are not counted), `batch` drains them as
`civicdesk inbound_worker` does. With fewer NUMBERS than TEXTS the first text of a number makes a case and the
others continue it (the warm-up's 20 texts use the first numbers too: NUMBERS >= TEXTS + 20 makes every measured
text a new case). Prints the CPU time (process_time) and queries per text of each half; PROFILE=web or PROFILE=proc
prints a cProfile of that half, SQL=web or SQL=proc its statements. Informational: no budget line
(bench_sms_inbound.py has them).
"""

import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import benchserver

TOKEN, SID, OUR_NUMBER = "cpu-bench-token-0123456789", "AC" + "0" * 31 + "7", "+15550100300"


@contextmanager
def profiled(name: str) -> Any:
    profile = cProfile.Profile() if os.environ.get("PROFILE") == name else None
    if profile is not None:
        profile.enable()
    yield
    if profile is not None:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "batch"
    texts = int(sys.argv[2]) if len(sys.argv) > 2 else 900
    numbers = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    workdir = tempfile.mkdtemp(prefix="civicdesk-sms-cpu-")
    twilio_api = benchserver.fake_twilio_api()  # the acknowledgements' sends (SENDS=1); its thread's CPU is counted
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/db.sqlite3")
    os.environ.update({"CIVICDESK_VAR_DIR": workdir, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                       "SITE_URL": "http://127.0.0.1:9",
                       "TWILIO_API_BASE_URL": f"http://127.0.0.1:{twilio_api.server_address[1]}",
                       "ALLOWED_HOSTS": "testserver", "DEBUG": "false",
                       "LOG_LEVEL": "WARNING", "CPUBENCH_TWILIO_AUTH_TOKEN": TOKEN,
                       "CPUBENCH_TWILIO_ACCOUNT_SID": SID, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
                       "INBOUND_BATCH_WORKER": "true" if mode == "batch" else "false"})
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from twilio.request_validator import RequestValidator

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Message
    from civicdesk.channels.models import ChannelAccount, InboundPayload
    from civicdesk.channels.providers.twilio.sender import sms_params

    call_command("migrate", verbosity=0)
    agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
    account = ChannelAccount.objects.create(channel="sms", provider="twilio", agency=agency, address=OUR_NUMBER,
                                            credentials_ref="env:CPUBENCH_TWILIO")
    path = f"/hooks/twilio/{account.pk}/"
    validator = RequestValidator(TOKEN)
    signed = []
    for n in range(texts + 20):
        params = sms_params(from_=f"+1215555{n % numbers:04d}", to=OUR_NUMBER, sid=f"SMC{n:031d}", account_sid=SID,
                            body=f"Pothole on Elm Street ({n})")
        signed.append((urlencode(params), validator.compute_signature(settings.SITE_URL + path, params)))
    client = Client()

    def post(body: str, signature: str) -> None:
        response = client.post(path, body, content_type="application/x-www-form-urlencoded",
                               HTTP_X_TWILIO_SIGNATURE=signature)
        assert response.status_code == 200, response.status_code

    process_all = drain_batches if mode == "batch" else run_jobs
    for body, signature in signed[:20]:  # warm-up: imports, first queries
        post(body, signature)
    process_all()
    count = [0]

    shown = os.environ.get("SQL", "")  # SQL=web or SQL=proc: print that half's statements (their first 160 chars)

    def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        if shown and shown == half[0]:
            print(f"  [{half[0]}] {sql[:160]}")
        return execute(sql, params, many, context)

    half = ["web"]

    with connection.execute_wrapper(counter):
        start = time.process_time()
        with profiled("web"):
            for body, signature in signed[20:]:
                post(body, signature)
        web_cpu, web_queries = time.process_time() - start, count[0]
        count[0] = 0
        half[0] = "proc"
        start, wall = time.process_time(), time.perf_counter()
        with profiled("proc"):
            process_all()
        proc_cpu, proc_queries = time.process_time() - start, count[0]
        proc_wall = time.perf_counter() - wall
        sends = 0
        if os.environ.get("SENDS"):  # SENDS=1: the acknowledgements' delivery jobs too, as the sms worker runs them
            lane = settings.AUTOMATIC_DELIVERY_QUEUE or "sms"  # where acknowledgements wait
            sends = Message.objects.filter(direction="out", delivery_status="queued").count()
            count[0] = 0
            half[0] = "send"
            start = time.process_time()
            with profiled("send"):
                call_command("db_worker", queue_name=lane, batch=True, interval=0, startup_delay=False,
                             verbosity=0)
            send_cpu, send_queries = time.process_time() - start, count[0]
    left = InboundPayload.objects.filter(status="received").count()
    stored = Message.objects.filter(direction="in").count()
    print(f"{connection.vendor} {mode}: {texts} texts from {numbers} numbers: webhook {1000 * web_cpu / texts:.2f} ms "
          f"CPU, {web_queries / texts:.1f} queries; processing {1000 * proc_cpu / texts:.2f} ms CPU "
          f"({1000 * proc_wall / texts:.2f} ms wall), "
          f"{proc_queries / texts:.1f} queries; left received {left}; inbound messages {stored}; "
          f"load average {os.getloadavg()[0]:.1f}")
    if sends:
        print(f"  {sends} acknowledgements delivered: {1000 * send_cpu / sends:.2f} ms CPU, "
              f"{send_queries / sends:.1f} queries each")


def drain_batches() -> None:
    from civicdesk.conversations import batch

    while batch.drain():
        pass


def run_jobs() -> None:
    from django_tasks_db.models import DBTaskResult

    from civicdesk.conversations.tasks import process_payload

    for job in list(DBTaskResult.objects.filter(queue_name="inbound", status="READY").order_by("pk")):
        process_payload.call(*job.args_kwargs["args"])


if __name__ == "__main__":
    main()
