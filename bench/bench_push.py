"""Live updates under load: N idle staff tabs on server-sent events versus the one-second HTMX poll.

Usage: python bench/bench_push.py [--tabs 1 10 50] [--seconds 5]
A fresh SQLite database in a temporary directory, migrated and seeded with the demo city. The real ASGI app runs
under uvicorn in this process (so every database query of the server, the shared poller's included, is counted
through a connection wrapper); the tabs are asyncio HTTP/1.1 clients signed in as agent.publicworks. For each N it
opens N event streams on /staff/events/ and counts the server's queries and requests per second while they sit
idle, then does the same for N tabs polling /staff/live/ every second (the fallback, today's behaviour). Then, with
the largest N streams open, it changes a Public Works case (every stream must hear of it within 2 s) and a Parks
case (no stream may hear of it).
"""

import argparse
import asyncio
import contextlib
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchserver import free_port, prepare, setup_django, site_env, verdict

LATENCY_BUDGET_S = 2.0
FLAT_BUDGET_QPS = 1.5  # idle streams may add at most this many queries a second over one stream, whatever N


class Counter:
    def __init__(self) -> None:
        self.queries = 0
        self.requests = 0
        self.lock = threading.Lock()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        with self.lock:
            self.queries += 1
        return execute(sql, params, many, context)

    def snapshot(self) -> tuple[int, int]:
        return self.queries, self.requests


async def request_head(port: int, path: str, cookie: str, headers: dict[str, str]) -> tuple[
        asyncio.StreamReader, asyncio.StreamWriter, int]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", f"Cookie: {cookie}", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    return reader, writer, status


async def read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


class StreamTab:
    """An idle tab on the inbox with its EventSource open: records when each `changed` event arrives."""

    def __init__(self) -> None:
        self.events: list[tuple[float, str]] = []
        self.task: asyncio.Task[None] | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self, port: int, cookie: str) -> None:
        reader, self.writer, status = await request_head(port, "/staff/events/", cookie,
                                                         {"Accept": "text/event-stream"})
        assert status == 200, status
        await read_headers(reader)
        self.task = asyncio.create_task(self.listen(reader))

    async def listen(self, reader: asyncio.StreamReader) -> None:
        event = ""
        while line := await reader.readline():
            text = line.decode().strip()
            if text.startswith("event:"):
                event = text[6:].strip()
            elif text.startswith("data:") and event == "changed":
                self.events.append((time.perf_counter(), text[5:].strip()))
            elif not text:
                event = ""

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.task is not None:
            self.task.cancel()


async def poll_tab(port: int, cookie: str, path: str, stop: asyncio.Event) -> None:
    """A tab on the fallback: the inbox poller's request every second, on one keep-alive connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while not stop.is_set():
            writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nHX-Request: true\r\n"
                          "HX-Trigger: inbox-poller\r\n\r\n").encode())
            await writer.drain()
            await reader.readline()
            headers = await read_headers(reader)
            await reader.readexactly(int(headers.get("content-length", "0")))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        writer.close()


async def measure(counter: Counter, seconds: float) -> tuple[float, float]:
    await asyncio.sleep(2.0)  # settle: connections open, the poller started
    queries, requests = counter.snapshot()
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    q2, r2 = counter.snapshot()
    return (q2 - queries) / elapsed, (r2 - requests) / elapsed


async def run_bench(port: int, cookie: str, live_path: Any, counter: Counter, tabs: list[int], seconds: float,
                    touch: Any) -> list[str]:
    lines = []
    stream_qps: dict[int, float] = {}
    for n in tabs:
        streams = [StreamTab() for _ in range(n)]
        await asyncio.gather(*(tab.open(port, cookie) for tab in streams))
        qps, rps = await measure(counter, seconds)
        stream_qps[n] = qps
        lines.append(f"push, {n} idle event streams: {qps:.1f} queries/s, {rps:.1f} requests/s (info)")
        if n == max(tabs):
            lines += await check_delivery(streams, touch)
        for tab in streams:
            tab.close()
        await asyncio.sleep(1.5)
    path = await asyncio.to_thread(live_path)  # after the changes above, as the page's poller would hold it
    for n in tabs:
        stop = asyncio.Event()
        pollers = [asyncio.create_task(poll_tab(port, cookie, path, stop)) for _ in range(n)]
        qps, rps = await measure(counter, seconds)
        stop.set()
        await asyncio.gather(*pollers)
        lines.append(f"polling fallback, {n} idle tabs: {qps:.1f} queries/s, {rps:.1f} requests/s (info)")
    low, high = stream_qps[min(tabs)], stream_qps[max(tabs)]
    lines.append(f"push: queries/s with {max(tabs)} idle streams {high:.1f} vs {min(tabs)} stream {low:.1f} "
                 f"(budget <= +{FLAT_BUDGET_QPS}/s) {verdict(high <= low + FLAT_BUDGET_QPS)}")
    return lines


async def check_delivery(streams: list[StreamTab], touch: Any) -> list[str]:
    for tab in streams:
        tab.events.clear()
    started = time.perf_counter()
    number = await asyncio.to_thread(touch, "public-works")
    deadline = started + 5.0
    while time.perf_counter() < deadline and not all(any(number in d for _, d in t.events) for t in streams):
        await asyncio.sleep(0.05)
    arrivals = [next((at for at, data in t.events if number in data), None) for t in streams]
    heard = [at - started for at in arrivals if at is not None]
    latency = max(heard) if len(heard) == len(streams) else float("inf")
    for tab in streams:
        tab.events.clear()
    other = await asyncio.to_thread(touch, "parks")
    await asyncio.sleep(3.0)
    leaked = sum(1 for t in streams for _, data in t.events if other in data)
    return [f"push: a visible change reached all {len(streams)} streams in {latency:.2f} s "
            f"(budget <= {LATENCY_BUDGET_S} s) {verdict(latency <= LATENCY_BUDGET_S)}",
            f"push: another agency's change reached {leaked} streams (budget 0) {verdict(leaked == 0)}"]


def serve(port: int, counter: Counter) -> Any:
    import uvicorn

    from civicdesk.asgi import application

    async def counted(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            with counter.lock:
                counter.requests += 1
        await application(scope, receive, send)

    server = uvicorn.Server(uvicorn.Config(counted, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-push-bench-"))
    env = site_env(workdir)
    prepare(env)
    setup_django(env)
    from django.db.backends.signals import connection_created
    from django.test import Client

    from civicdesk.cases import actions
    from civicdesk.cases.models import Case
    from civicdesk.inbox.views import inbox_context

    counter = Counter()
    connection_created.connect(lambda sender, connection, **kw: connection.execute_wrappers.append(counter),
                               weak=False)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="agent.publicworks")
    client = Client()
    client.force_login(user)
    client.get("/staff/")  # stamps the session's activity clocks
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    def live_path() -> str:
        return str(inbox_context(client.get("/staff/").wsgi_request)["live_url"])

    def touch(agency_slug: str) -> str:
        case = Case.objects.filter(agency__slug=agency_slug, merged_into=None).order_by("-id").first()
        assert case is not None, agency_slug
        actions.touch(case)
        return case.number

    port = free_port()
    server, thread = serve(port, counter)
    try:
        lines = asyncio.run(run_bench(port, cookie, live_path, counter, sorted(args.tabs), args.seconds, touch))
    finally:
        server.should_exit = True
        thread.join(timeout=15)
    for line in lines:
        print(line, flush=True)
    return 1 if any(line.endswith("FAIL") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
