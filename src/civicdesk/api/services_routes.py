"""The REST API's services: the catalogue a staff member may read (every active service, and their own agencies'
inactive ones), listed and one by one."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from civicdesk.agencies.models import Service
from civicdesk.api import schemas
from civicdesk.api.queries import visible_services
from civicdesk.cases.permissions import agency_ids, is_admin

router = Router(tags=["services"])


class ServiceOut(Schema):
    code: str
    name: str
    group: str
    description: str
    agency: str = Field(description="The owning agency's slug.")
    active: bool
    location: str = Field(description="Whether a request must say where: required, optional or not_asked.")
    default_team: str | None = Field(description="The team new requests go to; null when none, or when the service "
                                                 "is not of your agencies.")


class ServiceQuery(Schema):
    agency: schemas.QueryText = Field("", max_length=100, description="Only the services of this agency (slug).")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) services.")


def service_out(service: Service, *, own_agency: bool) -> dict[str, Any]:
    return {"code": service.code, "name": service.name, "group": service.group, "description": service.description,
            "agency": service.agency.slug, "active": service.is_active, "location": service.location_mode,
            "default_team": service.default_team.name if own_agency and service.default_team else None}


def _own(request: HttpRequest) -> Callable[[Service], bool]:
    """Whether a service's agency is one of the user's (administrators: every agency)."""
    if is_admin(request.user):
        return lambda service: True
    mine = set(agency_ids(request.user))
    return lambda service: service.agency_id in mine


@router.get("/services", response=list[ServiceOut], summary="List the services you may read")
def list_services(request: HttpRequest, filters: Query[ServiceQuery]) -> list[dict[str, Any]]:
    services = visible_services(request.user)
    if filters.agency:
        services = services.filter(agency__slug=filters.agency)
    if filters.active is not None:
        services = services.filter(is_active=filters.active)
    own = _own(request)
    return [service_out(service, own_agency=own(service)) for service in services]


@router.get("/services/{code}", response={200: ServiceOut, 404: schemas.ErrorOut}, summary="One service")
def get_service(request: HttpRequest, code: str) -> dict[str, Any]:
    service = visible_services(request.user).filter(code=code.strip()[:64]).first()
    if service is None:
        raise HttpError(404, f"There is no service {code!r} that you can see.")
    return service_out(service, own_agency=_own(request)(service))
