"""A small desk for the dashboard tests: two agencies, their supervisors and an agent, and cases in every state the
live queue counts (open, unassigned, breaching soon, past a target) with SLA targets written directly."""

from datetime import timedelta
from typing import Any

import shapely
from django.utils import timezone

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.models import Area
from civicdesk.slas.models import CaseTarget, TargetKind
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff


def target(case: Case, *, breached: bool = False, warned: bool = False, met: bool = False) -> CaseTarget:
    now = timezone.now()
    return CaseTarget.objects.create(
        case=case, kind=TargetKind.RESOLUTION, target_seconds=3600, started_at=now - timedelta(hours=2),
        due_at=now - timedelta(minutes=5) if breached else now + timedelta(minutes=20),
        warn_at=now - timedelta(minutes=10), warned_at=now - timedelta(minutes=10) if warned or breached else None,
        breached_at=now - timedelta(minutes=5) if breached else None, met_at=now if met else None)


def ward_point(name: str) -> tuple[float, float]:
    area = Area.objects.get(type__slug="ward", name=name)
    point = shapely.from_wkb(bytes(area.wkb)).representative_point()
    return point.y, point.x


def build_desk(cases_per_kind: int = 1, *, where: tuple[float, float] | None = None) -> dict[str, Any]:
    works, parks = create_agency("works", "Public Works"), create_agency("parks", "Parks")
    pothole, tree = create_service(works, "pothole"), create_service(parks, "tree")
    sup_works = create_staff("sup.works", role=StaffRole.SUPERVISOR, agencies=[works])
    sup_parks = create_staff("sup.parks", role=StaffRole.SUPERVISOR, agencies=[parks])
    agent = create_staff("agent.works", agencies=[works])
    location = {"lat": where[0], "lon": where[1]} if where else {}
    made: dict[str, list[Case]] = {"unassigned": [], "assigned": [], "soon": [], "late": [], "closed": [],
                                   "parks": []}
    for _ in range(cases_per_kind):
        made["unassigned"].append(create_case(service=pothole, **location))
        assigned = create_case(service=pothole)
        Case.objects.filter(pk=assigned.pk).update(assignee=agent)
        made["assigned"].append(assigned)
        soon = create_case(service=pothole)
        target(soon, warned=True)
        made["soon"].append(soon)
        late = create_case(service=pothole, **location)
        target(late, breached=True)
        made["late"].append(late)
        closed = create_case(service=pothole)
        Case.objects.filter(pk=closed.pk).update(status=CaseStatus.RESOLVED)
        made["closed"].append(closed)
        park = create_case(service=tree)
        target(park, breached=True)
        made["parks"].append(park)
    return {"works": works, "parks": parks, "sup_works": sup_works, "sup_parks": sup_parks, "agent": agent,
            **made}
