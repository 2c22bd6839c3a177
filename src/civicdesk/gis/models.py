"""Boundaries in generations (as in MapIt), location routing rules, routing records and service initiatives."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.utils.translation import gettext_lazy as _

RESERVED_TYPE_SLUG = "jurisdiction"
COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # and six hexadecimal digits, like #1b1b1b."))


class AreaType(models.Model):
    """A kind of boundary (city, ward, snow-route zone, school district, ...), defined by admins as in MapIt.

    Areas and routing rules refer to a type by its slug (the column holds the slug, with a foreign key), so the slug
    is the type's lasting name in the import command, the API and the map data: it cannot change once set.
    """

    slug = models.SlugField(max_length=40, unique=True, verbose_name=_("slug"),
                            help_text=_("A short name for the import command and the API, like snow_route_zone. "
                                        "It cannot be changed later."))
    name = models.CharField(max_length=100, verbose_name=_("name"), help_text=_("For example, Snow-route zone."))
    plural_name = models.CharField(max_length=100, blank=True, verbose_name=_("plural name"),
                                   help_text=_("For example, Snow-route zones. Empty: the name with an s."))
    description = models.TextField(blank=True, verbose_name=_("description"))
    is_jurisdiction = models.BooleanField(
        default=False, verbose_name=_("is the jurisdiction's boundary"),
        help_text=_("Areas of this type are the city's own boundary: a location outside all of them is questioned "
                    "on the portal and flagged for staff, and Open311 refuses one far outside."))
    display_order = models.PositiveIntegerField(default=0, verbose_name=_("display order"))
    colour = models.CharField(max_length=7, default="#565c65", validators=[COLOUR], verbose_name=_("map colour"),
                              help_text=_("The colour of this type's boundary lines on maps, like #565c65."))

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name = _("area type")
        verbose_name_plural = _("area types")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.slug == RESERVED_TYPE_SLUG:
            raise ValidationError({"slug": _("“jurisdiction” is reserved (the map data uses it for the boundary of "
                                             "the jurisdiction); choose another slug.")})

    @property
    def plural(self) -> str:
        return self.plural_name or f"{self.name}s"


class TypeSlugDescriptor(ForwardManyToOneDescriptor):
    """Accepts an AreaType or its slug: Area(type="ward") and RoutingRule(area_type="ward") keep working."""

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, str):
            if self.field.is_cached(instance) and getattr(self.field.get_cached_value(instance), "slug", None) != value:
                self.field.delete_cached_value(instance)
            setattr(instance, self.field.attname, value)
            return
        super().__set__(instance, value)


class AreaTypeKey(models.ForeignKey["AreaType | str", "AreaType"]):
    """A foreign key to AreaType stored as the type's slug (to_field="slug"); assigning a slug string works too."""

    forward_related_accessor_class = TypeSlugDescriptor


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

    type = AreaTypeKey(AreaType, to_field="slug", db_column="type", on_delete=models.PROTECT, related_name="areas")
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
        ordering = ["type_id", "name", "id"]
        indexes = [models.Index(fields=["generation_low", "generation_high", "type"], name="area_generation_type")]

    def __str__(self) -> str:
        return f"{self.type}: {self.name}"


class RoutingRule(models.Model):
    """(service or any, area type, optional area) -> agency/team; the highest priority wins.

    With no agency or team set, the rule sends cases to the agency/team linked to the matched area.
    """

    service = models.ForeignKey("agencies.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                help_text="Empty: any service.")
    area_type = AreaTypeKey(AreaType, to_field="slug", db_column="area_type", on_delete=models.PROTECT,
                            related_name="+")
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
        return f"{self.service or 'any service'} in {self.area or self.area_type} -> {target}"


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
    """A service initiative in an area, compared before and after its start.

    An agency's initiative is seen by that agency's staff and changed by its supervisors; one with no agency is
    city-wide: every staff member sees it and administrators change it (gis/initiatives.py holds the rules).
    """

    name = models.CharField(max_length=200, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="initiatives", verbose_name=_("agency"),
                               help_text=_("Empty: a city-wide initiative, which only administrators change."))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("area"))
    services = models.ManyToManyField("agencies.Service", blank=True, related_name="+", verbose_name=_("services"))
    start = models.DateField(verbose_name=_("start"))
    end = models.DateField(null=True, blank=True, verbose_name=_("end"))
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
