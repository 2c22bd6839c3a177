"""ASGI entry point (`civicdesk run` serves it with gunicorn's uvicorn workers): Django plus a lifespan handler.

The lifespan handler chains a hook onto the server's SIGTERM/SIGINT handlers so the staff pages' event streams end
at once on shutdown, instead of holding the graceful shutdown open until their lifetime runs out. At start-up it
also imports the URLconf (the map views pull in scipy: about 2-4 s), so a worker's first request does not wait for it.
"""

import os
import warnings
from typing import Any

from django.conf import settings
from django.core.asgi import get_asgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
if not settings.configured:  # a server process: settings read below see it; a test run already has its settings
    os.environ["CIVICDESK_SERVER"] = "asgi"
django_application = get_asgi_application()
# WhiteNoise's static files and attachment downloads are FileResponses over sync file iterators: Django reads them
# in a thread and sends the chunks, which is right for files of this size; the warning would fire on every one.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

from civicdesk.inbox import push  # noqa: E402  (needs the apps loaded by get_asgi_application)


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
