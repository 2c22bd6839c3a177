"""Writes for gis: importing boundary sets, switching generations, recording and redoing case routing, and
staff-made service initiatives."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.actions import refuse_if_merged, touch
from civicdesk.cases.events import CaseCreated
from civicdesk.cases.models import Case
from civicdesk.cases.routing import Route, RoutingInput, choose_route
from civicdesk.gis.case_locations import sync_case_location
from civicdesk.gis.formats.base import BoundaryFileError, SourceData, SourceFeature
from civicdesk.gis.geometry import GeometryError, clean_boundary, geodesic_area_m2, parse_crs, to_wgs84, validate_point
from civicdesk.gis.lookup import active_index, invalidate
from civicdesk.gis.models import Area, AreaType, CaseRouting, Generation, Initiative
from civicdesk.gis.routing import decide

log = logging.getLogger(__name__)
SWAP_DISTANCE_DEG = 5.0
# The types every install starts with (migration 0003 creates them too): slug, name, plural, jurisdiction, colour.
# The colours match the base map's legend ("City boundary", "Ward or zone boundary"); admins may change them.
DEFAULT_AREA_TYPES = [
    ("city", "City", "Cities", True, "#1b1b1b"),
    ("ward", "Ward", "Wards", False, "#565c65"),
    ("council_district", "Council district", "Council districts", False, "#565c65"),
    ("police_precinct", "Police precinct", "Police precincts", False, "#565c65"),
    ("sanitation_zone", "Sanitation zone", "Sanitation zones", False, "#565c65"),
    ("service_zone", "Service zone", "Service zones", False, "#565c65"),
]


@dataclass
class ImportReport:
    generation: Generation
    area_type: str
    created: int = 0
    repaired: list[tuple[str, str]] = field(default_factory=list)  # (area name, why it was invalid)


def _feature_name(feature: SourceFeature, name_field: str, number: int) -> str:
    if name_field not in feature.properties:
        raise BoundaryFileError(f"Feature {number} has no '{name_field}' field; fields: "
                                f"{', '.join(sorted(feature.properties)) or 'none'}.")
    name = str(feature.properties[name_field] or "").strip()
    if not name:
        raise BoundaryFileError(f"Feature {number} has an empty '{name_field}'.")
    return name[:200]


def import_boundaries(source: SourceData, *, area_type: str, name_field: str, code_field: str = "",
                      generation: Generation | None = None, description: str = "", crs_override: Any = None,
                      progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None) -> ImportReport:
    """Load a boundary set into an inactive generation (a new one unless given), in one transaction.

    Every feature is reprojected to WGS84 and checked before anything is written; invalid polygons are repaired
    with make_valid and reported. Any bad feature aborts the whole import with a clear message.
    """
    if not AreaType.objects.filter(slug=area_type).exists():
        known = ", ".join(AreaType.objects.values_list("slug", flat=True)) or "none defined yet"
        raise BoundaryFileError(f"Unknown area type '{area_type}'; use one of {known}, or define it first (the "
                                "admin's Area types, or --create-type).")
    if generation is not None and generation.active:
        raise BoundaryFileError("Import into a new or inactive generation, then activate it.")
    if not source.features:
        raise BoundaryFileError("The file has no features.")
    try:
        crs = parse_crs(crs_override or source.crs or "EPSG:4326")
    except GeometryError as exc:
        raise BoundaryFileError(str(exc)) from exc
    prepared = []
    features: Iterable[tuple[int, SourceFeature]] = enumerate(source.features, start=1)
    if progress is not None:
        features = progress(features)
    for number, feature in features:
        name = _feature_name(feature, name_field, number)
        label = f"Feature {number} ('{name}')"
        try:
            if feature.geometry is None or feature.geometry.is_empty:
                raise GeometryError(f"{label}: the geometry is empty.")
            cleaned = clean_boundary(to_wgs84(feature.geometry, crs), label)
        except GeometryError as exc:
            raise BoundaryFileError(str(exc)) from exc
        code = str(feature.properties.get(code_field) or "")[:100] if code_field else ""
        props = {k: v for k, v in feature.properties.items() if isinstance(v, str | int | float | bool) or v is None}
        prepared.append((name, code, cleaned, props))
    check_swapped_axes([(name, cleaned.geometry) for name, _, cleaned, _ in prepared])
    with transaction.atomic():
        if generation is None:
            generation = Generation.objects.create(description=description or f"Import of {area_type}",
                                                   created_at=timezone.now())
        report = ImportReport(generation, area_type)
        Area.objects.bulk_create([
            Area(type_id=area_type, name=name, code=code, generation_low=generation, generation_high=generation,
                 wkb=shapely.to_wkb(cleaned.geometry), min_lon=b[0], min_lat=b[1], max_lon=b[2], max_lat=b[3],
                 area_m2=geodesic_area_m2(cleaned.geometry), was_repaired=cleaned.repaired, properties=props)
            for name, code, cleaned, props in prepared
            for b in [cleaned.geometry.bounds]
        ], batch_size=200)
        report.created = len(prepared)
        report.repaired = [(name, cleaned.repair_reason) for name, _, cleaned, _ in prepared if cleaned.repaired]
    log.info("Imported %s %s areas into generation %s (%s repaired)", report.created, area_type, generation.pk,
             len(report.repaired))
    return report


def ensure_default_area_types() -> dict[str, AreaType]:
    """The starting area types, created if missing (an admin's edits to existing ones are kept); by slug."""
    found = {t.slug: t for t in AreaType.objects.filter(slug__in=[row[0] for row in DEFAULT_AREA_TYPES])}
    for order, (slug, name, plural, jurisdiction, colour) in enumerate(DEFAULT_AREA_TYPES):
        if slug not in found:
            found[slug] = AreaType.objects.create(slug=slug, name=name, plural_name=plural,
                                                  is_jurisdiction=jurisdiction, display_order=order * 10,
                                                  colour=colour)
    return found


def create_area_type(name: str, *, slug: str = "", plural_name: str = "", is_jurisdiction: bool = False,
                     colour: str = "") -> AreaType:
    """Define a new kind of boundary (its slug from the name unless given); an existing slug is an error."""
    name = name.strip()[:100]
    slug = (slug or slugify(name).replace("-", "_"))[:40]
    if not name or not slug:
        raise BoundaryFileError("Give the new area type a name, like \"Snow-route zone\".")
    if AreaType.objects.filter(slug=slug).exists():
        raise BoundaryFileError(f"The area type '{slug}' already exists; import with --type {slug}.")
    order = (AreaType.objects.aggregate(top=Max("display_order"))["top"] or 0) + 10
    area_type = AreaType(slug=slug, name=name, plural_name=plural_name[:100], is_jurisdiction=is_jurisdiction,
                         display_order=order, **({"colour": colour} if colour else {}))
    try:
        area_type.full_clean()
    except ValidationError as exc:
        raise BoundaryFileError(" ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
    area_type.save()
    transaction.on_commit(invalidate)
    log.info("Created area type %s", slug)
    return area_type


def check_swapped_axes(named: list[tuple[str, Any]]) -> None:
    """Catch (lat, lon) coordinates that are still in range: features far from the rest of the set, or a whole set
    far from the active boundaries, that would sit where they belong with the axes swapped."""
    centers = np.array([[g.centroid.x, g.centroid.y] for _, g in named])
    middle = np.median(centers, axis=0)
    for number, ((name, _), (x, y)) in enumerate(zip(named, centers, strict=True)):
        if len(centers) < 2:
            break
        mx, my = np.median(np.delete(centers, number, axis=0), axis=0) if len(centers) <= 5 else middle
        if np.hypot(x - mx, y - my) > SWAP_DISTANCE_DEG and np.hypot(y - mx, x - my) < SWAP_DISTANCE_DEG:
            raise BoundaryFileError(f"'{name}' lies far from the other areas but would fit with latitude and "
                                    "longitude swapped; the coordinates look like (lat, lon) instead of (lon, lat).")
    index = active_index(verify=True)
    extent = index.extent() if index else None
    if extent is not None:
        cx, cy = (extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2
        if np.hypot(middle[0] - cx, middle[1] - cy) > SWAP_DISTANCE_DEG and np.hypot(
                middle[1] - cx, middle[0] - cy) < SWAP_DISTANCE_DEG:
            raise BoundaryFileError("The areas lie far from the active boundaries but would fit with latitude and "
                                    "longitude swapped; the coordinates look like (lat, lon) instead of (lon, lat).")


@transaction.atomic
def activate_generation(generation: Generation) -> Generation:
    """Switch lookups to this generation at once; types it does not contain carry over from the active one."""
    generation = Generation.objects.select_for_update().get(pk=generation.pk)
    current = Generation.objects.select_for_update().filter(active=True).first()
    if current is not None and current.pk == generation.pk:
        return generation
    if current is not None and current.pk > generation.pk:
        raise ValueError("Only a generation newer than the active one can be activated.")
    if current is not None:
        new_types = set(Area.objects.filter(generation_low=generation).values_list("type", flat=True))
        Area.objects.filter(generation_low_id__lte=current.pk, generation_high_id__gte=current.pk).exclude(
            type__in=new_types).update(generation_high=generation)
        Generation.objects.filter(pk=current.pk).update(active=False)
    generation.active = True
    generation.activated_at = timezone.now()
    generation.save(update_fields=["active", "activated_at"])
    transaction.on_commit(invalidate)
    return generation


def new_generation(description: str) -> Generation:
    return Generation.objects.create(description=description, created_at=timezone.now())


def record_case_routing(case: Case, route: Route, *, new: bool = False) -> CaseRouting | None:
    """Remember the generation, area and rule a located case was routed with (after_case_created; relocate_case).

    `new`: the case was created just now, so it has no row yet (one INSERT instead of update_or_create's four).
    """
    if case.lat is None or case.lon is None:
        return None
    details = route.details or {}
    if details.get("router") == "location":
        values = {"generation_id": details.get("generation"), "area_id": details.get("area"),
                  "rule_id": details.get("rule"), "flagged": bool(details.get("flagged"))}
    else:
        decision = decide(case.service, case.lat, case.lon)
        if decision is None:
            return None
        values = {"generation_id": decision.generation_id, "area_id": decision.area.pk if decision.area else None,
                  "rule_id": None, "flagged": decision.flagged}
    values.update(reason=route.reason, routed_at=timezone.now())
    if new:
        return CaseRouting.objects.create(case=case, **values)
    routing, _ = CaseRouting.objects.update_or_create(case=case, defaults=values)
    return routing


@transaction.atomic
def relocate_case(case: Case, lat: object, lon: object, *, actor: Any, address: str | None = None) -> Case:
    """Move a case's location and route it again by the new location; the audit trail keeps both. A merged-away
    case is refused (cases.actions.CaseMerged)."""
    refuse_if_merged(case)
    lat_f, lon_f = validate_point(lat, lon)
    decision = decide(case.service, lat_f, lon_f)
    if decision is not None and decision.swapped:
        raise GeometryError(decision.problem)
    before = {"lat": case.lat, "lon": case.lon, "address": case.address}
    changes: dict[str, Any] = {"lat": lat_f, "lon": lon_f}
    if address is not None:
        changes["address"] = address[:300]
    touch(case, **changes)
    record(AuditAction.LOCATION_CHANGED, case=case, actor=actor, before=before,
           after={"lat": lat_f, "lon": lon_f, "address": case.address})
    route = choose_route(RoutingInput(service=case.service, lat=lat_f, lon=lon_f))
    if route.agency.pk != case.agency_id or (route.team.pk if route.team else None) != case.team_id:
        routing_before = {"agency": case.agency.slug, "team": case.team_id}
        touch(case, agency=route.agency, team=route.team, assignee=None)
        record(AuditAction.ROUTED, case=case, actor=actor, actor_label="router", reason=route.reason,
               before=routing_before, after={"agency": route.agency.slug,
                                             "team": route.team.pk if route.team else None, **(route.details or {})})
    record_case_routing(case, route)
    return case


def after_case_created(event: CaseCreated) -> None:
    """Subscriber of CaseCreated (see gis/apps.py): remember the routing and index the location."""
    record_case_routing(event.case, event.route, new=True)
    sync_case_location(event.case, new=True)


INITIATIVE_FIELDS = ("name", "description", "agency", "area", "start", "end")


def _initiative_state(initiative: Initiative) -> dict[str, Any]:
    """JSON-friendly values for the audit trail: the agency by slug, the area and services by id and name."""
    return {"initiative": initiative.pk, "name": initiative.name, "description": initiative.description,
            "agency": initiative.agency.slug if initiative.agency else None,
            "area": {"id": initiative.area_id, "name": initiative.area.name},
            "start": initiative.start.isoformat(), "end": initiative.end.isoformat() if initiative.end else None,
            "services": sorted(initiative.services.values_list("code", flat=True))}


@transaction.atomic
def save_initiative(initiative: Initiative, values: dict[str, Any], *, actor: Any) -> Initiative:
    """Create (an unsaved initiative) or change one from already validated values (gis/forms.py), with its services;
    audited with the before and after. The caller has checked the actor's right (gis/initiatives.py)."""
    new = initiative.pk is None
    before = {} if new else _initiative_state(initiative)
    for name in INITIATIVE_FIELDS:
        setattr(initiative, name, values[name])
    if new:
        initiative.created_by = actor if getattr(actor, "is_authenticated", False) else None
    initiative.save()
    initiative.services.set(values["services"])
    after = _initiative_state(initiative)
    if after != before:
        record(AuditAction.INITIATIVE_CREATED if new else AuditAction.INITIATIVE_CHANGED, actor=actor,
               before=before, after=after)
    return initiative
