"""Browser-test plumbing: headless Debian Chromium via Playwright, axe-core WCAG 2.1 AA runs, page error watching."""

import functools
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@functools.cache
def axe_source() -> str:
    """The axe-core script from node_modules, read once per test run."""
    return (settings.NODE_MODULES_DIR / "axe-core" / "axe.min.js").read_text()


@contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Start headless Chromium for the duration of the block.

    Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous,
    so Django's async-safety check is switched off inside the block and restored afterwards.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page against WCAG 2.1 A/AA and return its raw violations."""
    page.evaluate(axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return result["violations"]


def axe(page: Page) -> list[str]:
    """The page's WCAG 2.1 A/AA violations as short lines (rule id and up to 3 targets); empty when clean."""
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}" for v in axe_violations(page)]


def watch(page: Page) -> list[str]:
    """Start collecting console errors, uncaught page errors and 4xx/5xx responses; returns the live list."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def free_port() -> int:
    """A local TCP port that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# For page.evaluate(CANVAS_PAINTED, "css selector"): whether a canvas (a Leaflet canvas layer) has any pixel drawn.
CANVAS_PAINTED = """selector => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width || !canvas.height) { return false; }
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { return true; } }
  return false;
}"""
