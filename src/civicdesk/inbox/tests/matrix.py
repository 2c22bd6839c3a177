"""The route walk behind the agency matrix test: staff and API routes from the resolver, DB snapshots, a prober."""

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver

from civicdesk.api.actions import create_token
from civicdesk.api.api import api

STAFF_PREFIXES = ("staff/", "api/")
EXTRA_STAFF_ROUTES = {"open311:forward"}  # staff actions mounted outside /staff/
# Django admin: its own permission, probed separately. Sign-in pages (two-factor, password change and reset) act
# only on the signed-in user's own account, never on agency data; accounts/tests cover them.
SKIPPED_PREFIXES = ("admin/", "staff/otp/", "staff/password/")

# Tables whose rows change on any request by design (sessions, login bookkeeping, throttling, task queues).
UNTRACKED_APPS = {"sessions", "axes", "django_tasks", "django_tasks_database", "admin"}
UNTRACKED_FIELDS = {("auth", "user"): {"last_login"}, ("api", "apitoken"): {"last_used_at"},
                    ("chat", "agentavailability"): {"seen_at"}}  # an open desk's check-in, like DeskPresence
UNTRACKED_MODELS = {("notifications", "deskpresence")}  # when a user last had the desk open: written by any page

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>[^>]+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full route with <params>, its name (namespace:name) and its parameter names."""

    route: str
    name: str
    params: tuple[str, ...]
    methods: tuple[str, ...]

    def path(self, values: dict[str, str]) -> str:
        return "/" + PARAM.sub(lambda m: str(values[m.group("name")]), self.route)


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else ""
            yield prefix + str(pattern.pattern), name


def ninja_methods() -> dict[str, tuple[str, ...]]:
    """The HTTP methods of each django-ninja operation, keyed by its route in resolver syntax (api/cases/<number>)."""
    schema = api.get_openapi_schema()
    found = {}
    for path, operations in schema["paths"].items():
        route = re.sub(r"\{([^}]+)\}", r"<\1>", path.lstrip("/"))
        found[route] = tuple(sorted(method.upper() for method in operations))
    return found


def staff_routes() -> list[Route]:
    """Every route under /staff/ and /api/ (and the staff actions elsewhere), straight from the URL resolver."""
    methods = ninja_methods()
    routes = []
    for route, name in _walk(get_resolver()):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        if not (route.startswith(STAFF_PREFIXES) or name in EXTRA_STAFF_ROUTES):
            continue
        if REGEX_PARAM.search(route):
            raise AssertionError(f"{route}: regex routes with parameters need a case in the matrix test.")
        params = tuple(m.group("name") for m in PARAM.finditer(route))
        routes.append(Route(route, name or route, params, methods.get(route, ("GET", "POST"))))
    return routes


def _tracked_models() -> Iterator[type]:
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in UNTRACKED_APPS and (meta.app_label, meta.model_name) not in UNTRACKED_MODELS \
                and meta.managed:
            yield model


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every tracked table, by table name."""
    state = {}
    for model in _tracked_models():
        meta = model._meta
        skip = UNTRACKED_FIELDS.get((meta.app_label, meta.model_name), set())
        fields = [f.attname for f in meta.concrete_fields if f.name not in skip]
        rows = list(model._base_manager.order_by("pk").values_list(*fields))
        state[meta.db_table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


def changed_tables(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


@dataclass
class Prober:
    """Sends one request at a time as a freshly signed-in user and records every table it changed."""

    users: list[Any]
    clients: dict[int | None, Client] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # One client per user for the whole walk: a new client builds the middleware chain again (slow).
        self.clients = {user.pk: Client(headers={"Authorization": f"Bearer {create_token(user, name='matrix').raw}"})
                        for user in self.users}
        self.clients[None] = Client()
        self.state = snapshot()

    def send(self, user: Any, method: str, path: str, data: dict[str, Any], *, rollback: bool = False) -> Any:
        if rollback:
            with transaction.atomic():
                response = self._send(user, method, path, data)
                transaction.set_rollback(True)
        else:
            response = self._send(user, method, path, data)
        after = snapshot()
        changed = changed_tables(self.state, after)
        if changed:
            self.fail(user, method, path, f"wrote to {', '.join(changed)}")
            self.state = after
        return response

    def _send(self, user: Any, method: str, path: str, data: dict[str, Any]) -> Any:
        cache.clear()  # rate limits
        client = self.clients[user.pk if user else None]
        client.cookies.clear()
        if user is not None:
            client.force_login(user)  # afresh each time: a probe may have signed the user out
        if method == "GET":
            return client.get(path)
        if path.startswith("/api/"):
            return client.generic(method, path, json.dumps(data), content_type="application/json")
        return client.generic(method, path, urlencode(data), content_type="application/x-www-form-urlencoded")

    def fail(self, user: Any, method: str, path: str, problem: str) -> None:
        self.failures.append(f"{user.username if user else 'anonymous'} {method} {path}: {problem}")

    def no_leak(self, user: Any, method: str, path: str, response: Any, markers: tuple[str, ...],
                sent: str = "") -> None:
        """None of the markers in the body, except what the request itself carried (a search box echoes it)."""
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for marker in markers:
            if marker in text and marker not in path and marker not in sent:
                self.fail(user, method, path, f"shows {marker!r} of another agency")

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} holes:\n" + "\n".join(self.failures)
