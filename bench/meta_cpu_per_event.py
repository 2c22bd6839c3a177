"""Meta webhooks, CPU and queries per event in one process (no HTTP server, no other processes sharing the cores).

Usage: python bench/meta_cpu_per_event.py [EVENTS=1000] [PER_POST=50] [SENDERS=300]   (DATABASE_URL: a fresh,
empty database; unset, a SQLite file in a temporary directory). Signed `object: page` documents of PER_POST
Messenger messages (bench_meta_webhook.document) go through the test client, then the inbound batch worker's drain
applies them. The warm-up's documents use the first senders too: SENDERS >= EVENTS + PER_POST makes every measured
event a new case (and an acknowledgement). Prints the CPU time (process_time) and queries per event of each half;
SQL=web or SQL=proc prints that half's statements. Informational: no budget line (bench_meta_webhook.py has them).
"""

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    per_post = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    senders = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    workdir = tempfile.mkdtemp(prefix="civicdesk-meta-cpu-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/db.sqlite3")
    os.environ.update({"CIVICDESK_VAR_DIR": workdir, "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                       "SITE_URL": "http://127.0.0.1:9", "ALLOWED_HOSTS": "testserver", "DEBUG": "false",
                       "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
                       "INBOUND_BATCH_WORKER": "true", "META_GRAPH_URL": "http://127.0.0.1:9/v25.0"})
    import bench_meta_webhook as meta

    os.environ.update({"BENCH_META_PAGE_TOKEN": meta.PAGE_TOKEN, "BENCH_META_APP_SECRET": meta.APP_SECRET,
                       "BENCH_META_VERIFY_TOKEN": "bench-verify"})
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Message
    from civicdesk.channels.models import ChannelAccount, InboundPayload
    from civicdesk.channels.signatures import hub_signature
    from civicdesk.conversations import batch

    call_command("migrate", verbosity=0)
    agency = Agency.objects.get_or_create(slug=settings.DEFAULT_AGENCY_SLUG, defaults={"name": "Riverbend 311"})[0]
    account = ChannelAccount.objects.create(channel="facebook", provider="meta", agency=agency, address=meta.PAGE_ID,
                                            display_name="Bench page", credentials_ref="env:BENCH_META")
    path = f"/hooks/meta/{account.pk}/"
    now_ms = int(time.time() * 1000)
    documents = [meta.document("C", first, per_post, senders, now_ms)[1]
                 for first in range(0, events + per_post, per_post)]
    client = Client()

    def post(body: bytes) -> None:
        response = client.post(path, body, content_type="application/json",
                               HTTP_X_HUB_SIGNATURE_256=hub_signature(meta.APP_SECRET, body))
        assert response.status_code == 200, response.status_code

    def drain() -> None:
        while batch.drain():
            pass

    post(documents[0])  # warm-up: imports, first queries
    drain()
    count, half = [0], ["web"]
    shown = os.environ.get("SQL", "")

    def counter(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        if shown and shown == half[0]:
            print(f"  [{half[0]}] {sql[:160]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        start = time.process_time()
        for body in documents[1:]:
            post(body)
        web_cpu, web_queries = time.process_time() - start, count[0]
        count[0], half[0] = 0, "proc"
        start = time.process_time()
        drain()
        proc_cpu, proc_queries = time.process_time() - start, count[0]
    measured = per_post * (len(documents) - 1)
    left = InboundPayload.objects.filter(status="received").count()
    stored = Message.objects.filter(direction="in").count()
    print(f"{connection.vendor} meta: {measured} events in posts of {per_post} from {senders} senders: webhook "
          f"{1000 * web_cpu / measured:.2f} ms CPU, {web_queries / measured:.2f} queries per event; processing "
          f"{1000 * proc_cpu / measured:.2f} ms CPU, {proc_queries / measured:.1f} queries per event; left received "
          f"{left}; inbound messages {stored}; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
