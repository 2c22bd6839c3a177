"""Choosing the agency and team for a new case: routers declared in code, tried in order, then the default queue.

Apps above cases add their routers in `AppConfig.ready()` (gis puts routing by location first);
cases/tests/test_events.py lists the exact routers."""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

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
    details: dict[str, object] | None = None  # kept on the ROUTED audit entry: "router" names which one decided


class Router(Protocol):
    def __call__(self, request: RoutingInput) -> Route | None: ...


def route_by_service(request: RoutingInput) -> Route | None:
    if request.service is None:
        return None
    service = request.service
    return Route(service.agency, service.default_team, f"Service '{service.name}' is owned by {service.agency.name}",
                 {"router": "service", "service": service.name})


def route_by_agency_hint(request: RoutingInput) -> Route | None:
    if not request.agency_slug:
        return None
    agency = Agency.objects.filter(slug=request.agency_slug).first()
    if agency is None:
        return None
    return Route(agency, None, f"Arrived at {agency.name}'s address", {"router": "agency_hint"})


_routers: list[Router] = [route_by_service, route_by_agency_hint]


def add_router(router: Router, *, first: bool = False) -> None:
    """Try router before (first) or after the others; adding the same router twice is a no-op."""
    if router not in _routers:
        _routers.insert(0 if first else len(_routers), router)


def routers() -> tuple[Router, ...]:
    return tuple(_routers)


def choose_route(request: RoutingInput) -> Route:
    for router in _routers:
        route = router(request)
        if route is not None:
            return route
    agency = Agency.objects.filter(slug=settings.DEFAULT_AGENCY_SLUG).first() or Agency.objects.order_by("pk").first()
    if agency is None:
        raise LookupError("No agency exists to receive cases; create one first.")
    return Route(agency, None, f"No rule matched: default queue {agency.name}", {"router": "default"})
