"""Choosing the agency and team for a new case; routers are listed in settings.CASE_ROUTERS."""

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from civicdesk.agencies.models import Agency, Service, Team


@dataclass
class RoutingInput:
    service: Service | None
    agency_slug: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass
class Route:
    agency: Agency
    team: Team | None
    reason: str
    details: dict[str, object] | None = None


class Router(Protocol):
    def __call__(self, request: RoutingInput) -> Route | None: ...


def route_by_service(request: RoutingInput) -> Route | None:
    if request.service is None:
        return None
    service = request.service
    return Route(service.agency, service.default_team, f"Service '{service.name}' is owned by {service.agency.name}")


def route_by_agency_hint(request: RoutingInput) -> Route | None:
    if not request.agency_slug:
        return None
    agency = Agency.objects.filter(slug=request.agency_slug).first()
    if agency is None:
        return None
    return Route(agency, None, f"Arrived at {agency.name}'s address")


@cache
def _routers() -> list[Router]:
    return [import_string(path) for path in settings.CASE_ROUTERS]


def choose_route(request: RoutingInput) -> Route:
    for router in _routers():
        route = router(request)
        if route is not None:
            return route
    agency = Agency.objects.filter(slug=settings.DEFAULT_AGENCY_SLUG).first() or Agency.objects.order_by("pk").first()
    if agency is None:
        raise LookupError("No agency exists to receive cases; create one first.")
    return Route(agency, None, f"No rule matched: default queue {agency.name}")
