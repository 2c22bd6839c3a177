"""Live chat under load: 50 concurrent chats, each message timed from send to the other side's screen.

Usage: python bench/bench_chat.py [--chats 50] [--messages 10] [--engine sqlite|postgres]
A fresh database (SQLite in a temporary directory; with --engine postgres, a database of its own on the server
`scripts/pg-test-server start` runs), migrated and seeded with the demo city. The site runs as in production:
`civicdesk run` (gunicorn, WEB_WORKERS uvicorn workers) in a subprocess. Residents are asyncio HTTP/1.1 clients
of the real widget endpoints: they start a chat (POST /chat/start/), listen on /chat/events/ (server-sent events)
and post messages (POST /chat/messages/). The agent side runs in this process, as the desk's views do: each of
10 agents holds 5 chats, listens through a chat hub subscription (chat.push, its own poller on the same database)
and writes with chat.actions.post_agent_message. So both directions cross processes through the database.

Each chat exchanges --messages messages each way, one every 1-2 s (random), all chats at once. A delivery is the
time from the start of the send (the POST, or the action) to the message's event reaching the other side.
Budgets (issue 11): median <= 300 ms and p99 <= 1 s, and no message lost.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEDIAN_BUDGET_MS = 300.0
P99_BUDGET_MS = 1000.0
AGENTS = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, list[str]], bytes]:
    status = int((await reader.readline()).split()[1])
    headers: dict[str, list[str]] = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"][0]))
    elif headers.get("transfer-encoding", [""])[0] == "chunked":
        body = b""
        while size := int((await reader.readline()).strip(), 16):
            body += await reader.readexactly(size)
            await reader.readline()
        await reader.readline()
    else:
        body = b""
    return status, headers, body


class Resident:
    """One browser: its cookies, its chat, and the arrival time of each agent message it hears."""

    def __init__(self, port: int, index: int) -> None:
        self.port = port
        self.index = index
        self.cookies: dict[str, str] = {}
        self.heard: dict[str, float] = {}
        self.key = ""
        self.stream: asyncio.Task[None] | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.ready = asyncio.Event()
        self.address = f"127.0.{1 + index // 250}.{1 + index % 250}"  # each resident its own address, as in life

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.address, 0))
        body = urllib.parse.urlencode(form or {}).encode()
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                 "X-Requested-With: civicdesk-chat", f"Cookie: {self.cookie_header()}"]
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}",
                      f"X-CSRFToken: {self.cookies.get('csrftoken', '')}", "Origin: http://127.0.0.1",
                      "Referer: http://127.0.0.1/"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status, headers, payload = await read_response(reader)
        writer.close()
        for value in headers.get("set-cookie", []):
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, payload

    async def start(self, agency_id: int) -> None:
        status, _ = await self.request("GET", "/chat/")
        assert status == 200, status
        status, body = await self.request("POST", "/chat/start/", {
            "chat-agency": str(agency_id), "chat-text": f"Resident {self.index} needs help",
            "chat-client_id": str(uuid.uuid4()), "chat-reply_channel": ""})
        assert status == 201, (status, body[:300])

    async def listen(self) -> None:
        reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(self.address, 0))
        self.writer.write((f"GET /chat/events/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                           f"Cookie: {self.cookie_header()}\r\n\r\n").encode())
        await self.writer.drain()
        assert int((await reader.readline()).split()[1]) == 200
        while (line := await reader.readline()) not in (b"\r\n", b""):
            pass
        event = ""
        while line := await reader.readline():
            text = line.decode().strip()
            if not text:
                event = ""
            elif text.startswith("event:"):
                event = text[6:].strip()
                if event == "ready":
                    self.ready.set()
            elif event == "chat" and text.startswith("data:"):
                data = json.loads(text[5:])
                if data.get("kind") == "message" and data.get("from") == "agent":
                    self.heard.setdefault(data["text"], time.perf_counter())

    async def say(self, text: str) -> float:
        started = time.perf_counter()
        for _ in range(20):
            status, _ = await self.request("POST", "/chat/messages/", {"id": str(uuid.uuid4()), "text": text})
            if status in (200, 201):
                return started
            await asyncio.sleep(0.5)  # a refusal (429, a busy database): the widget tries again
        raise RuntimeError(f"resident {self.index} could not send")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.stream is not None:
            self.stream.cancel()


async def agent_listen(subscription: Any, heard: dict[str, float], stream_of: Any) -> None:
    async for chunk in stream_of(subscription, 3600):
        for block in chunk.split("\n\n"):
            if "event: chat" not in block:
                continue
            data = json.loads(block.split("data: ", 1)[1])
            if data.get("kind") == "message" and data.get("from") == "resident":
                heard.setdefault(data["text"], time.perf_counter())


async def run_bench(port: int, chats: int, messages: int, setup: dict[str, Any]) -> list[str]:
    from civicdesk.chat import actions, push
    from civicdesk.chat.models import ChatSession

    pool = ThreadPoolExecutor(max_workers=8)
    loop = asyncio.get_running_loop()
    agents = setup["agents"]
    agent_heard: dict[str, float] = {}
    subscriptions = [push.Subscription(agent_id=agent.pk, agency_ids=frozenset({setup["agency_id"]}))
                     for agent in agents]
    listeners = [asyncio.create_task(agent_listen(s, agent_heard, push.stream)) for s in subscriptions]

    residents = [Resident(port, i) for i in range(chats)]
    for resident in residents:
        await resident.start(setup["agency_id"])
    for resident in residents:
        resident.stream = asyncio.create_task(resident.listen())
    await asyncio.wait_for(asyncio.gather(*(r.ready.wait() for r in residents)), 30)

    def accept_all() -> list[tuple[Any, Any]]:
        pairs = []
        for index, session in enumerate(ChatSession.objects.filter(status="waiting").order_by("pk")[:chats]):
            agent = agents[index % len(agents)]
            pairs.append((actions.accept_session(session, agent), agent))
        return pairs

    pairs = await loop.run_in_executor(pool, accept_all)
    assert len(pairs) == chats, len(pairs)
    await asyncio.sleep(1.5)  # the agents' subscriptions pick up the chats they hold
    resident_of = {}
    for resident in residents:
        resident_of[resident.index] = resident

    sent_by_resident: dict[str, float] = {}
    sent_by_agent: dict[str, float] = {}
    send_times: list[float] = []
    post_times: list[float] = []

    def post_as_agent(session: Any, agent: Any, text: str) -> None:
        actions.post_agent_message(session, agent, text=text, client_id=str(uuid.uuid4()))

    async def resident_side(resident: Resident) -> None:
        for n in range(messages):
            await asyncio.sleep(random.uniform(1.0, 2.0))
            text = f"r{resident.index}-{n} {uuid.uuid4().hex[:8]}"
            sent_by_resident[text] = await resident.say(text)
            post_times.append(time.perf_counter() - sent_by_resident[text])

    async def agent_side(session: Any, agent: Any) -> None:
        for n in range(messages):
            await asyncio.sleep(random.uniform(1.0, 2.0))
            text = f"a{session.pk}-{n} {uuid.uuid4().hex[:8]}"
            started = time.perf_counter()
            await loop.run_in_executor(pool, post_as_agent, session, agent, text)
            send_times.append(time.perf_counter() - started)
            sent_by_agent[text] = started

    began = time.perf_counter()
    await asyncio.gather(*(resident_side(r) for r in residents), *(agent_side(s, a) for s, a in pairs))
    elapsed = time.perf_counter() - began
    await asyncio.sleep(3.0)  # the last deliveries
    for task in listeners:
        task.cancel()
    for resident in residents:
        resident.close()
    heard_by_residents: dict[str, float] = {}
    for resident in residents:
        heard_by_residents.update(resident.heard)

    lines = []
    everything: list[float] = []
    lost_total = 0
    for name, sent, heard in (("resident -> agent", sent_by_resident, agent_heard),
                              ("agent -> resident", sent_by_agent, heard_by_residents)):
        delays = [(heard[text] - at) * 1000 for text, at in sent.items() if text in heard]
        lost = len(sent) - len(delays)
        lost_total += lost
        everything += delays
        lines.append(f"chat {name}: {len(delays)} messages, median {statistics.median(delays):.0f} ms, "
                     f"p99 {percentile(delays, 0.99):.0f} ms, max {max(delays):.0f} ms (info)")
    lines.append(f"chat: the resident's POST took median {statistics.median(post_times) * 1000:.0f} ms, the agent's "
                 f"write median {statistics.median(send_times) * 1000:.0f} ms (info)")
    rate = 2 * chats * messages / elapsed
    median, p99 = statistics.median(everything), percentile(everything, 0.99)
    lines.append(f"chat: {chats} concurrent chats ({rate:.0f} messages/s), delivery median {median:.0f} ms "
                 f"(budget <= {MEDIAN_BUDGET_MS:.0f} ms) {verdict(median <= MEDIAN_BUDGET_MS)}")
    lines.append(f"chat: {chats} concurrent chats, delivery p99 {p99:.0f} ms "
                 f"(budget <= {P99_BUDGET_MS:.0f} ms) {verdict(p99 <= P99_BUDGET_MS)}")
    lines.append(f"chat: messages lost {lost_total} of {2 * chats * messages} (budget 0) {verdict(lost_total == 0)}")
    return lines


def database_url(engine: str) -> str:
    if engine == "sqlite":
        return ""
    server = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    name = os.environ.get("BENCH_CHAT_PG_DATABASE", "civicdesk_bench_chat")
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + "/" + name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    random.seed(11)
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-chat-bench-"))
    env = {**os.environ, "CIVICDESK_VAR_DIR": str(workdir), "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    url = database_url(args.engine)
    if url:
        env["DATABASE_URL"] = url
    for command in (["migrate", "-v", "0"], ["seed-demo", "--yes-demo-passwords"]):
        subprocess.run([sys.executable, "-m", "civicdesk", *command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    os.environ.update({"CIVICDESK_VAR_DIR": str(workdir), "CIVICDESK_SERVER": "asgi",
                       "DJANGO_SETTINGS_MODULE": "civicdesk.settings"})
    os.environ.pop("DATABASE_URL", None)
    if url:
        os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from civicdesk.agencies.models import Agency
    from civicdesk.chat import actions
    from civicdesk.testing.factories import create_staff

    agency = Agency.objects.get(slug="public-works")
    agents = [create_staff(f"bench.chat{i}", agencies=[agency]) for i in range(AGENTS)]
    for agent in agents:
        actions.set_availability(agent, accepting=True, max_chats=20)

    port = free_port()
    server_env = {**env, "WEB_WORKERS": env.get("WEB_WORKERS", "2"), "CHAT_STARTS_PER_HOUR": "100000",
                  "CHAT_IP_MESSAGES_PER_MINUTE": "100000"}
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--port", str(port), "--no-smtp",
                               "--no-worker"], env=server_env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        time.sleep(2.0)  # the workers import the URLconf
        lines = asyncio.run(run_bench(port, args.chats, args.messages, {"agents": agents,
                                                                       "agency_id": agency.pk}))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    for line in lines:
        print(f"[{args.engine}] {line}", flush=True)
    return 1 if any(line.endswith("FAIL") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
