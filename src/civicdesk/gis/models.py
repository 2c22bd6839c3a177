"""Boundaries in generations (as in MapIt), location routing rules, routing records and service initiatives."""

from django.conf import settings
from django.db import models


class AreaType(models.TextChoices):
    CITY = "city", "City"
    WARD = "ward", "Ward"
    COUNCIL_DISTRICT = "council_district", "Council district"
    POLICE_PRECINCT = "police_precinct", "Police precinct"
    SANITATION_ZONE = "sanitation_zone", "Sanitation zone"
    SERVICE_ZONE = "service_zone", "Service zone"


class Generation(models.Model):
    """A set of boundaries switched on all at once; only one generation is active."""

    description = models.CharField(max_length=300)
    active = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_generation")
        ]

    def __str__(self) -> str:
        return f"Generation {self.pk}{' (active)' if self.active else ''}: {self.description}"


class Area(models.Model):
    """One boundary (polygon or multipolygon, WGS84) valid from generation_low to generation_high."""

    type = models.CharField(max_length=40, choices=AreaType.choices)
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=100, blank=True)
    generation_low = models.ForeignKey(Generation, on_delete=models.PROTECT, related_name="+")
    generation_high = models.ForeignKey(Generation, on_delete=models.PROTECT, related_name="+")
    wkb = models.BinaryField(help_text="Geometry in WGS84 (lon, lat) as WKB.")
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    area_m2 = models.FloatField(help_text="Geodesic area; the smaller area wins a tie on a shared edge.")
    was_repaired = models.BooleanField(default=False)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey("agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["type", "name", "id"]
        indexes = [models.Index(fields=["generation_low", "generation_high", "type"], name="area_generation_type")]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.name}"


class RoutingRule(models.Model):
    """(service or any, area type, optional area) -> agency/team; the highest priority wins.

    With no agency or team set, the rule sends cases to the agency/team linked to the matched area.
    """

    service = models.ForeignKey("agencies.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                help_text="Empty: any service.")
    area_type = models.CharField(max_length=40, choices=AreaType.choices)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="rules",
                             help_text="Empty: any area of the type.")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey("agencies.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.IntegerField(default=0, help_text="Higher wins.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-priority", "id"]

    def __str__(self) -> str:
        target = self.team or self.agency or "area's agency"
        return f"{self.service or 'any service'} in {self.area or self.get_area_type_display()} -> {target}"


class CaseRouting(models.Model):
    """Which generation, area and rule a case was routed with, and whether its location was questioned."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="gis_routing")
    generation = models.ForeignKey(Generation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    flagged = models.BooleanField(default=False, help_text="The location was questioned (outside, swapped, invalid).")
    routed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["flagged"], name="caserouting_flagged")]


class Initiative(models.Model):
    """A service initiative in an area, compared before and after its start."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="initiatives")
    services = models.ManyToManyField("agencies.Service", blank=True, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.name


class CaseLocation(models.Model):
    """A narrow spatial copy of each located, unmerged case, kept in step by hooks on case writes.

    `cell` numbers a fixed global grid of CELL_DEGREES squares (about 210 x 280 m at 40 degrees north), so nearby
    searches read a few (service, cell) index ranges and map/hotspot aggregation groups an index by cell.
    """

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="+")
    service = models.ForeignKey("agencies.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                db_constraint=False)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               db_constraint=False)
    status = models.CharField(max_length=20)
    is_open = models.BooleanField()
    created_at = models.DateTimeField()
    lat = models.FloatField()
    lon = models.FloatField()
    cell = models.BigIntegerField()

    class Meta:
        indexes = [
            # covering: the nearby search reads this index only, on SQLite and (after VACUUM) PostgreSQL
            models.Index(fields=["service", "cell", "is_open", "lat", "lon", "created_at", "case"],
                         name="caseloc_service_cell"),
            models.Index(fields=["is_open", "cell"], name="caseloc_open_cell"),
            models.Index(fields=["cell"], name="caseloc_cell"),
        ]
