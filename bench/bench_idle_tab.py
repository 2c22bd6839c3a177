"""An idle staff tab: the requests an inbox tab and a case page tab make while nobody touches them.

Usage: python bench/bench_idle_tab.py [--seconds 60] [--cases 40]
A fresh SQLite database (demo city, --cases cases) served by the real `civicdesk run` (ASGI, so the staff pages'
event streams work). Headless Chromium (Playwright) signs in as an agent, opens the inbox, waits until the page
says its stream is connected (html[data-cd-live=push]), then counts every request the tab makes for --seconds;
the same for a case page. The event stream's own request (one per connection, renewed every few minutes) is
counted apart: it is the push channel, not a poll. Then the stream is refused (the browser's requests to it are
aborted) and the inbox must fall back to polling.

| line | budget |
|---|---|
| `idle staff tab, inbox, push connected` | at most one request every 10 s |
| `idle staff tab, case page, push connected` | at most one request every 10 s |
| `idle staff tab, inbox, stream refused` | it polls (at least one request every 2 s) |
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from benchserver import free_port, load_average, prepare, running_site, site_env, verdict

PER_SECONDS = 10  # the budget: at most one light request every 10 s
AGENT = "agent.publicworks"


def count_idle(page: object, base: str, path: str, seconds: float, refuse_stream: bool = False) -> tuple[int, int,
                                                                                                         list[str]]:
    """(requests, stream requests, the request paths) of the tab at `path` over `seconds` once it has settled."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))  # type: ignore[attr-defined]
    if refuse_stream:
        page.route("**/events/**", lambda route: route.abort())  # type: ignore[attr-defined]
    page.goto(base + path)  # type: ignore[attr-defined]
    wanted = "poll" if refuse_stream else "push"
    page.wait_for_selector(f"html[data-cd-live={wanted}]", state="attached", timeout=60000)  # type: ignore
    page.wait_for_timeout(3000)  # type: ignore[attr-defined]  # the page's first refresh and the bell's first ask
    requests.clear()
    page.wait_for_timeout(seconds * 1000)  # type: ignore[attr-defined]
    seen = list(requests)
    stream = [url for url in seen if "/events/" in url]
    others = [url.removeprefix(base) for url in seen if "/events/" not in url]
    return len(others), len(stream), others


def measure(args: argparse.Namespace, base: str) -> list[tuple[str, bool]]:
    """The tabs' requests, in Chromium, against the site at `base`."""
    from playwright.sync_api import sync_playwright

    lines: list[tuple[str, bool]] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless=new",
                                                                                       "--no-sandbox"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/staff/login/")
        page.get_by_label("Username").fill(AGENT)
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("a[href^='/staff/cases/']", timeout=60000)
        case_path = page.locator("a[href^='/staff/cases/']").first.get_attribute("href") or ""
        budget = args.seconds / PER_SECONDS
        for name, path in (("inbox", "/staff/"), ("case page", case_path)):
            tab = context.new_page()
            count, stream, seen = count_idle(tab, base, path, args.seconds)
            tab.close()
            ok = count <= budget
            kinds = sorted({url.split("?")[0] for url in seen})
            lines.append((f"idle staff tab, {name}, push connected: {count} requests in {args.seconds:.0f} s "
                          f"({', '.join(kinds) or 'none'}), {stream} event stream connections (<= 1 request "
                          f"per {PER_SECONDS} s) {verdict(ok)}", ok))
        tab = context.new_page()
        count, _stream, _seen = count_idle(tab, base, "/staff/", min(args.seconds, 20), refuse_stream=True)
        ok = count >= min(args.seconds, 20) / 2
        lines.append((f"idle staff tab, inbox, stream refused: {count} requests in {min(args.seconds, 20):.0f} s "
                      f"(it falls back to polling: >= 1 request per 2 s) {verdict(ok)}", ok))
        browser.close()
    return lines


def run(args: argparse.Namespace, workdir: Path) -> bool:
    port = free_port()
    env = site_env(workdir, f"sqlite:///{workdir / 'idle.sqlite3'}", DJANGO_SETTINGS_MODULE="civicdesk.settings",
                   LOG_LEVEL="WARNING", DEBUG="false", ALLOWED_HOSTS="127.0.0.1", SITE_URL=f"http://127.0.0.1:{port}")
    prepare(env, cases=args.cases, collectstatic=True)
    with (workdir / "server.log").open("wb") as log:
        try:
            with running_site(env, port, "--no-smtp", log=log):
                lines = measure(args, f"http://127.0.0.1:{port}")
        except Exception:
            print((workdir / "server.log").read_text(errors="replace")[-3000:], flush=True)
            raise
    print(f"  {load_average()}", flush=True)
    for line, _ok in lines:
        print(line, flush=True)
    return all(ok for _line, ok in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="How long each idle tab is watched.")
    parser.add_argument("--cases", type=int, default=40, help="Demo cases in the database.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="civicdesk-idle-bench-"))
    try:
        return 0 if run(args, workdir) else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
