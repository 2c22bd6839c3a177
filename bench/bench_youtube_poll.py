"""YouTube comments by polling: time from a comment on the agency's video to a case, and the quota polling spends.

Usage: python bench/bench_youtube_poll.py [--comments 6] [--interval 30]
A fresh SQLite database (in a temporary directory), migrated, with one agency and its YouTube channel. The tests'
local YouTube Data API server (channels/providers/youtube/tests/server.py) runs in this process and counts quota like
Google; the real `civicdesk run` serves (its scheduler, the social worker polling with google-api-python-client,
the inbound worker). After the first poll, --comments comments are posted at spread moments (so they meet the poll
cycle at different phases); this process polls the database every 0.2 s for their messages.

| line | budget |
|---|---|
| `youtube comment to case` | every comment on a case within one polling interval (plus 5 s for processing) |
| `youtube quota by polling` | the units polling spends, per day at this rate, leave the replies' reserve |
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchserver import free_port, wait_until_serving  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
CHANNEL = "UCriverbendCityHall00001"
PROCESSING_S = 5.0




def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"




def measure(args: argparse.Namespace, workdir: Path) -> bool:
    port = free_port()
    env = {**os.environ, "CIVICDESK_VAR_DIR": str(workdir), "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
           "LOG_LEVEL": "WARNING", "DEBUG": "false", "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
           "ALLOWED_HOSTS": "127.0.0.1,testserver", "SITE_URL": f"http://127.0.0.1:{port}",
           "SOCIAL_POLL_SECONDS": str(args.interval)}
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    sys.path[:0] = [str(ROOT / "src")]
    subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
    import django

    django.setup()
    from django.db import connection

    from civicdesk.agencies.models import Agency
    from civicdesk.cases.models import Direction, Message
    from civicdesk.channels.models import ChannelAccount
    from civicdesk.channels.providers.youtube.tests import server as fake

    youtube = fake.YouTubeServer()
    url = youtube.start()
    env.update(YOUTUBE_API_BASE_URL=url, YOUTUBE_TOKEN_URI=f"{url}/token")
    agency = Agency.objects.get_or_create(slug="parks", defaults={"name": "Parks and Recreation"})[0]
    account = ChannelAccount(channel="youtube", provider="youtube", agency=agency, address=CHANNEL)
    account.set_credentials({"client_id": fake.CLIENT_ID, "client_secret": fake.CLIENT_SECRET,
                             "refresh_token": fake.REFRESH_TOKEN})
    account.save()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "civicdesk", "run", "--host", "127.0.0.1", "--port", str(port),
                               "--no-smtp"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_serving(port, server)
        deadline = time.monotonic() + 300
        while not youtube.calls_to("/commentThreads") and time.monotonic() < deadline:  # the first poll: warm
            time.sleep(0.2)
        started, calls_before, used_before = time.monotonic(), len(youtube.state.calls), youtube.quota_used()
        posted: dict[str, float] = {}
        seen: dict[str, float] = {}
        spacing = args.interval / max(1, args.comments) * 1.37  # not a multiple of the interval: every phase
        next_at = time.monotonic()
        end = None
        while True:
            now = time.monotonic()
            if len(posted) < args.comments and now >= next_at:
                posted[youtube.add_comment(f"Bench comment {len(posted)}: the bench at Elm Park is broken.")] = now
                next_at = now + spacing
            rows = Message.objects.filter(channel="youtube", direction=Direction.INBOUND,
                                          provider_message_id__in=list(posted)).values_list("provider_message_id",
                                                                                           flat=True)
            for pid in rows:
                seen.setdefault(pid, now)
            connection.close()
            if len(posted) == args.comments and end is None:
                end = now + args.interval * 3
            if end is not None and (len(seen) == args.comments or now > end):
                break
            time.sleep(0.2)
        elapsed, used = time.monotonic() - started, youtube.quota_used() - used_before
        calls = youtube.state.calls[calls_before:]
        polling = sum(1 for call in calls if call[2] is None)  # the list calls (1 unit each); inserts carry a body
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        youtube.stop()
    delays = sorted(seen[pid] - posted[pid] for pid in seen)
    on_time = len(seen) == args.comments and delays[-1] <= args.interval + PROCESSING_S
    shown = ", ".join(f"{d:.1f}" for d in delays)
    print(f"youtube comment to case: {len(seen)}/{args.comments} on a case, delays {shown} s (max "
          f"{delays[-1] if delays else float('nan'):.1f} s; budget {args.interval} s interval + {PROCESSING_S:.0f} s) "
          f"{verdict(on_time)}", flush=True)
    per_day = polling / elapsed * 86400
    from django.conf import settings

    room = settings.YOUTUBE_DAILY_QUOTA - settings.YOUTUBE_REPLY_RESERVE
    print(f"youtube quota by polling: {polling} units in {elapsed:.0f} s, {per_day:,.0f} units a day at this rate "
          f"(room before the replies' reserve: {room:,}; {used - polling} more units went on "
          f"{(used - polling) // 50} acknowledgement replies) {verdict(per_day <= room)}", flush=True)
    return on_time and per_day <= room


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=6)
    parser.add_argument("--interval", type=int, default=30, help="SOCIAL_POLL_SECONDS for the run.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-youtube-bench-"))
    try:
        return 0 if measure(args, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
