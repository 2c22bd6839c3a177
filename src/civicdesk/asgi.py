"""ASGI entry point (`civicdesk run` serves it with gunicorn's uvicorn workers): Django plus a lifespan handler.

Django is served by civicdesk.web.serving: sync views from a pool of WEB_THREADS threads per worker, as under
WSGI, and the async views (the event streams) by Django's ASGI handler.

The lifespan handler chains a hook onto the server's SIGTERM/SIGINT handlers so the event streams (staff pages,
chat; web/push.py) end at once on shutdown, instead of holding the graceful shutdown open until their lifetime runs
out. At start-up it also imports the URLconf (the map views pull in scipy: about 2-4 s), so a worker's first request
does not wait for it.
"""

import os
import warnings
from typing import Any

import django
from django.conf import settings
from django.urls import get_resolver

from civicdesk.web.serving import ThreadPoolASGIHandler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
if not settings.configured:  # a server process: settings read below see it; a test run already has its settings
    os.environ["CIVICDESK_SERVER"] = "asgi"
django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application does

django_application = ThreadPoolASGIHandler(threads=settings.WEB_THREADS)
# Sync views' file responses (static files, attachment downloads) are read and sent from their pool thread; should
# an async view ever return one, Django reads it in a thread and sends the chunks, which is right for these sizes.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

from civicdesk.web import push  # noqa: E402  (needs the apps loaded)


async def lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            get_resolver().url_patterns  # noqa: B018  (imports every view module before the first request)
            push.install_shutdown_hook()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            push.shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
    else:
        await django_application(scope, receive, send)
