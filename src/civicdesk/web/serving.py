"""The ASGI handler of `civicdesk run`: async views (event streams) as Django serves them, sync views as under WSGI.

Django's own ASGI handler runs a sync view's request in a new thread of its own (ThreadSensitiveContext), crosses
between that thread and the event loop at every change of middleware mode (the middleware that can only be sync,
axes that prefers async, the view), and sends the request_started signal and the response's close through more of
those hops. For the Open311 POST that was about 1.5 ms more CPU than the same request under WSGI (measured
in-process, bench/README.md). Here a request for a sync view (every view but the event streams) is served the way
a threaded WSGI server serves it: the body is read on the loop, then one hop to a thread of a fixed pool runs
Django's sync handler (the whole middleware chain in sync mode, the signals, the response's close) and the loop
sends the answer. A thread keeps its database connection between requests, as under WSGI. Requests for async views
(resolved from the path before the body is read) go to Django's ASGI handler unchanged.
"""

import asyncio
import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver, get_resolver, set_script_prefix

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Mapping[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


class SyncMiddlewareChain(BaseHandler):
    """The settings' middleware around Django's sync view handling, as a WSGI server would run it."""

    def __init__(self) -> None:
        super().__init__()
        self.load_middleware(is_async=False)


class ThreadPoolASGIHandler(ASGIHandler):
    """Django's ASGIHandler for async views; sync views run in a pool of `threads` threads (see the module)."""

    def __init__(self, threads: int) -> None:
        super().__init__()
        self.sync_chain = SyncMiddlewareChain()
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="web")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_async_view(path_info(scope)):
            return await super().__call__(scope, receive, send)
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        loop = asyncio.get_running_loop()
        response = await loop.run_in_executor(self.executor, self.respond, scope, body_file, send, loop)
        if response is not None:
            await self.send_response(response, send)

    def respond(self, scope: Scope, body_file: IO[bytes], send: Send,
                loop: asyncio.AbstractEventLoop) -> HttpResponseBase | None:
        """In a pool thread: the whole request cycle. A complete response is closed here (its request_finished
        signal then releases this thread's connections, like a WSGI server's close) and handed back for the loop to
        send; a streaming one is sent from here chunk by chunk, each send awaited, then closed."""
        try:
            set_script_prefix(get_script_prefix(scope))
            signals.request_started.send(sender=self.__class__, scope=scope)
            request, response = self.create_request(scope, body_file)
            if request is not None:
                response = self.sync_chain.get_response(request)
            assert response is not None
            response._handler_class = self.__class__  # type: ignore[attr-defined]  # whose request_finished
            if not response.streaming:
                response.close()
                return response
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
            try:
                blocking_send = functools.partial(send_from_thread, send, loop)
                blocking_send({"type": "http.response.start", "status": response.status_code,
                               "headers": response_headers(response)})
                for part in response:
                    for chunk, _last in self.chunk_bytes(part):
                        blocking_send({"type": "http.response.body", "body": chunk, "more_body": True})
                blocking_send({"type": "http.response.body"})
            finally:
                response.close()
            return None
        finally:
            body_file.close()


def send_from_thread(send: Send, loop: asyncio.AbstractEventLoop, message: Mapping[str, Any]) -> None:
    asyncio.run_coroutine_threadsafe(send(message), loop).result()  # type: ignore[arg-type]


def response_headers(response: HttpResponseBase) -> list[tuple[bytes, bytes]]:
    """The response's headers and cookies as ASGI wants them (as ASGIHandler.send_response builds them)."""
    headers = [(name.encode("ascii"), value.encode("latin1")) for name, value in response.items()]
    headers += [(b"Set-Cookie", cookie.output(header="").encode("ascii").strip())
                for cookie in response.cookies.values()]
    return headers


def path_info(scope: Scope) -> str:
    """The request's path inside the app, as ASGIRequest computes it."""
    path, root = str(scope["path"]), str(scope.get("root_path", ""))
    return path.removeprefix(root) if root and path.startswith(root) else path


def is_async_view(path: str) -> bool:
    """Whether this path may reach an async view: it matches the URL patterns leading to one. Django's handler then
    resolves it for real (a path shadowed by an earlier sync pattern is still served right, only by that handler);
    a path that matches none can only reach a sync view or a 404."""
    return any(all_match(chain, path) for chain in async_view_patterns(settings.ROOT_URLCONF))


def all_match(chain: tuple[Any, ...], path: str) -> bool:
    for pattern in chain:
        match = pattern.match(path)
        if match is None:
            return False
        path = match[0]
    return True


@functools.cache
def async_view_patterns(urlconf: str) -> list[tuple[Any, ...]]:
    """For every async view of the URLconf, the patterns from the root to it (include prefixes, then its own)."""
    def walk(resolver: URLResolver, chain: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, (*chain, entry.pattern))
            elif isinstance(entry, URLPattern) and iscoroutinefunction(entry.callback):
                yield (*chain, entry.pattern)
    root = get_resolver(urlconf)
    return list(walk(root, (root.pattern,)))  # the root matches the leading "/"
