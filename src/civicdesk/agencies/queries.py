"""Read-only lookups of the service catalogue (with a short per-process cache for the hot intake paths), and who is
available for automatic assignment."""

import threading
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from civicdesk.agencies.models import Service

_lock = threading.Lock()
_services: dict[str, tuple[float, Service]] = {}


def active_service(code: str) -> Service | None:
    """The active service with this code, with its agency, default team and attributes loaded.

    Every Open311 POST needs the definition to validate against; reading it costs two queries, so each process keeps
    what it read for SERVICE_CACHE_SECONDS. An admin edit clears this process's copy at once (forget_services);
    other processes follow within that time. Unknown codes are not remembered, so a new service is found at once.
    """
    now = time.monotonic()
    with _lock:
        cached = _services.get(code)
    if cached is not None and now - cached[0] < settings.SERVICE_CACHE_SECONDS:
        return cached[1]
    service = (Service.objects.select_related("agency", "default_team").prefetch_related("attributes")
               .filter(code=code, is_active=True).first())
    with _lock:
        if service is None:
            _services.pop(code, None)
        elif settings.SERVICE_CACHE_SECONDS > 0:
            _services[code] = (now, service)
    return service


def forget_services() -> None:
    """Drop the cached service definitions of this process (after the catalogue changed)."""
    with _lock:
        _services.clear()


def available_staff(agency_id: int) -> QuerySet[Any]:
    """Active staff of the agency who are not away today: the only people an automatic assignment may pick."""
    away = Q(staff__away=True) & (Q(staff__away_until__isnull=True) | Q(staff__away_until__gte=timezone.localdate()))
    return get_user_model().objects.filter(staff__agencies=agency_id, is_active=True).exclude(away).distinct()
