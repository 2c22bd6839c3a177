"""An ASGI live server for browser tests that need push: uvicorn in a thread of the test process, serving
civicdesk.asgi (the event streams open there; pytest-django's live_server is WSGI, where they answer 204)."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from civicdesk.testing.browser import free_port


@contextmanager
def asgi_live_server() -> Iterator[str]:
    """Serve the project over ASGI on a free local port for the block; yields its base URL."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from civicdesk.asgi import application
    from civicdesk.web import push

    port = free_port()
    config = uvicorn.Config(ASGIStaticFilesHandler(application), host="127.0.0.1", port=port, lifespan="off",
                            log_level="warning", timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="asgi-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("The ASGI live server did not start.")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loops = {hub.loop for hub in push._hubs.values() if not hub.loop.is_closed()}
        for loop in loops:
            loop.call_soon_threadsafe(push.shutdown)  # the streams end now, in their loop
        server.should_exit = True
        thread.join(10)
