"""Routing by location: the case router gis/apps.py adds first, and the rule choice behind it.

A point is looked up in the active generation ("covers": an edge counts as inside; ties go to the smallest
area, then the lowest id). Rules for (service or any service, area type, optional area) are tried by priority
(higher first), then area-specific before type-wide, service-specific before any-service, then lowest id.
A point outside every area, outside the jurisdiction's own boundary (the areas of the types marked as the
jurisdiction, the city), or with impossible coordinates goes to the default queue (GIS_DEFAULT_AGENCY, else
DEFAULT_AGENCY_SLUG) and is flagged for a person to check.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.routing import Route, RoutingInput
from civicdesk.gis.geometry import GeometryError, validate_point
from civicdesk.gis.index import AreaIndex
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area, RoutingRule


@dataclass
class LocationDecision:
    """What the boundaries say about a point, before and regardless of which router wins."""

    generation_id: int | None
    areas: dict[str, list[int]] = field(default_factory=dict)  # type -> covering area ids, winner first
    rule: RoutingRule | None = None
    area: Area | None = None
    flagged: bool = False
    swapped: bool = False
    problem: str = ""


def default_agency() -> Agency | None:
    slug = settings.GIS_DEFAULT_AGENCY or settings.DEFAULT_AGENCY_SLUG
    return Agency.objects.filter(slug=slug).first()


def assess_point(index: AreaIndex, lat: object, lon: object) -> LocationDecision:
    decision = LocationDecision(index.generation_id)
    try:
        lat_f, lon_f = validate_point(lat, lon)
    except GeometryError as exc:
        decision.flagged, decision.problem = True, str(exc)
        return decision
    decision.areas = index.covering(lon_f, lat_f)
    if decision.areas and index.jurisdiction_types and not index.jurisdiction_types & set(decision.areas):
        decision.flagged = True
        decision.problem = "The point is outside the jurisdiction's boundary."
        return decision
    if not decision.areas:
        decision.flagged = True
        decision.swapped = bool(-90 <= lon_f <= 90 and index.covering(lat_f, lon_f))
        if decision.swapped:
            decision.problem = "The point is outside the jurisdiction, but inside it with latitude and longitude " \
                               "swapped: the coordinates look swapped."
        else:
            decision.problem = "The point is outside every boundary of the jurisdiction."
    return decision


def choose_rule(service: Service | None, areas: dict[str, list[int]]) -> tuple[RoutingRule, int] | None:
    """The best active rule for the service among the covering areas, with the area it matched."""
    if not areas:
        return None
    all_ids = [ids[0] for ids in areas.values()]  # only the winner of each type: a tie must not leak rules
    service_q = Q(service__isnull=True) | (Q(service=service) if service is not None else Q(pk__in=[]))
    rules = RoutingRule.objects.filter(service_q, is_active=True, area_type__in=list(areas)).filter(
        Q(area__isnull=True) | Q(area_id__in=all_ids)).select_related("agency", "team", "area")

    def rank(rule: RoutingRule) -> tuple[int, int, int, int]:
        return (-rule.priority, 0 if rule.area_id else 1, 0 if rule.service_id else 1, rule.pk)

    for rule in sorted(rules, key=rank):
        matched = rule.area_id if rule.area_id else areas[rule.area_type_id][0]
        return rule, matched
    return None


def decide(service: Service | None, lat: object, lon: object) -> LocationDecision | None:
    """The full location decision, or None when no boundaries are active.

    Routing is on every channel's hot path, so it trusts the cached index for GIS_INDEX_CHECK_SECONDS; a switch in
    this process invalidates it at once, other processes follow within that time, and each case records the
    generation it was actually routed with.
    """
    index = active_index(verify=False)
    if index is None:
        return None
    decision = assess_point(index, lat, lon)
    if decision.flagged:
        return decision
    chosen = choose_rule(service, decision.areas)
    if chosen:
        decision.rule = chosen[0]
        decision.area = Area.objects.select_related("type", "agency", "team").get(pk=chosen[1])
    else:
        first_type = sorted(decision.areas)[0]
        decision.area = Area.objects.filter(pk=decision.areas[first_type][0]).first()
    return decision


def route_by_location(request: RoutingInput) -> Route | None:
    """Router: a rule for the location wins; flagged points go to the default queue; otherwise next router."""
    if request.lat is None or request.lon is None:
        return None
    decision = decide(request.service, request.lat, request.lon)
    if decision is None:
        return None
    details: dict[str, object] = {"router": "location", "generation": decision.generation_id,
                                  "area": decision.area.pk if decision.area else None,
                                  "rule": decision.rule.pk if decision.rule else None, "flagged": decision.flagged}
    if decision.flagged:
        agency = default_agency()
        if agency is None:
            return None
        return Route(agency, None, f"Location questioned: {decision.problem} Sent to the default queue "
                                   f"{agency.name}.", details)
    if decision.rule is None or decision.area is None:
        return None
    rule, area = decision.rule, decision.area
    team = rule.team or (area.team if rule.agency_id is None else None)
    agency = rule.agency or (team.agency if team else None) or area.agency
    if agency is None:
        return None
    service_text = f"'{request.service.name}'" if request.service else "any service"
    # the rule as staff read it on the timeline: "Pothole in Ward 3" ("Any service in Ward 3")
    what = request.service.name if rule.service_id and request.service else "Any service"
    details["rule_name"] = f"{what} in {area.name}"
    return Route(agency, team, f"Location in {area.type.name.lower()} {area.name}: rule #{rule.pk} "
                               f"({service_text}) sends it to {team or agency.name}.", details)
