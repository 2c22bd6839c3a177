"""Address points, street centrelines and named places in WGS84; geometries as WKB with bbox columns."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StreetClass(models.TextChoices):
    MOTORWAY = "motorway", _("Motorway")
    PRIMARY = "primary", _("Main road")
    SECONDARY = "secondary", _("Secondary road")
    RESIDENTIAL = "residential", _("Residential street")
    SERVICE = "service", _("Lane or service road")
    PATH = "path", _("Path or trail")


class PlaceKind(models.TextChoices):
    PARK = "park", _("Park")
    SCHOOL = "school", _("School")
    LIBRARY = "library", _("Library")
    CIVIC = "civic", _("Civic building")
    LANDMARK = "landmark", _("Landmark")
    WATER = "water", _("Water")
    OTHER = "other", _("Other place")


class AddressPoint(models.Model):
    """One addressable point: house number, street, optional unit and postcode, and its label as shown."""

    number = models.CharField(max_length=20, blank=True)
    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    label = models.CharField(max_length=300, help_text=_("The full address as residents write it."))
    lat = models.FloatField()
    lon = models.FloatField()
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["street", "number", "unit", "id"]
        indexes = [models.Index(fields=["lat", "lon"], name="address_lat_lon"),
                   models.Index(fields=["street", "number"], name="address_street_number")]

    def __str__(self) -> str:
        return self.label


class Street(models.Model):
    """A street centreline (LineString or MultiLineString) with its class, used for maps and reverse lookups."""

    name = models.CharField(max_length=200, blank=True)
    street_class = models.CharField(max_length=20, choices=StreetClass.choices, default=StreetClass.RESIDENTIAL)
    wkb = models.BinaryField(help_text=_("Geometry in WGS84 (lon, lat) as WKB."))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="street_bbox")]

    def __str__(self) -> str:
        return self.name or f"Street {self.pk}"


class Place(models.Model):
    """A named place (park, school, library, landmark): a polygon or a point, with a point for its label."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlaceKind.choices, default=PlaceKind.OTHER)
    address = models.CharField(max_length=300, blank=True)
    wkb = models.BinaryField(help_text=_("Geometry in WGS84 (lon, lat) as WKB."))
    lat = models.FloatField(help_text=_("Where the label and the search result go (a point inside the place)."))
    lon = models.FloatField()
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["min_lon", "max_lon", "min_lat", "max_lat"], name="place_bbox")]

    def __str__(self) -> str:
        return self.name


class Dataset(models.Model):
    """One row whose version goes up on every import, so each process knows when to reload its search index."""

    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Places data version {self.version}"
