"""Area types become data (as in MapIt): the AreaType table, filled with the six types that were code until now,
plus any other type value already found on areas or routing rules (nothing is lost)."""

import django.core.validators
from django.db import migrations, models

# Frozen here: the app's DEFAULT_AREA_TYPES may change later, this migration must not.
STARTING_TYPES = [
    ("city", "City", "Cities", True, "#1b1b1b"),
    ("ward", "Ward", "Wards", False, "#565c65"),
    ("council_district", "Council district", "Council districts", False, "#565c65"),
    ("police_precinct", "Police precinct", "Police precincts", False, "#565c65"),
    ("sanitation_zone", "Sanitation zone", "Sanitation zones", False, "#565c65"),
    ("service_zone", "Service zone", "Service zones", False, "#565c65"),
]


def create_types(apps, schema_editor):
    AreaType = apps.get_model("gis", "AreaType")
    Area = apps.get_model("gis", "Area")
    RoutingRule = apps.get_model("gis", "RoutingRule")
    known = set()
    for order, (slug, name, plural, jurisdiction, colour) in enumerate(STARTING_TYPES):
        AreaType.objects.get_or_create(slug=slug, defaults={
            "name": name, "plural_name": plural, "is_jurisdiction": jurisdiction, "display_order": order * 10,
            "colour": colour})
        known.add(slug)
    used = set(Area.objects.values_list("type", flat=True)) | set(RoutingRule.objects.values_list("area_type", flat=True))
    for number, slug in enumerate(sorted(used - known), start=len(STARTING_TYPES)):
        AreaType.objects.create(slug=slug, name=slug.replace("_", " ").replace("-", " ").capitalize()[:100],
                                display_order=number * 10)


class Migration(migrations.Migration):

    dependencies = [
        ("gis", "0002_caselocation"),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaType",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(help_text="A short name for the import command and the API, like snow_route_zone. It cannot be changed later.", max_length=40, unique=True, verbose_name="slug")),
                ("name", models.CharField(help_text="For example, Snow-route zone.", max_length=100, verbose_name="name")),
                ("plural_name", models.CharField(blank=True, help_text="For example, Snow-route zones. Empty: the name with an s.", max_length=100, verbose_name="plural name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("is_jurisdiction", models.BooleanField(default=False, help_text="Areas of this type are the city's own boundary: a location outside all of them is questioned on the portal and flagged for staff, and Open311 refuses one far outside.", verbose_name="is the jurisdiction's boundary")),
                ("display_order", models.PositiveIntegerField(default=0, verbose_name="display order")),
                ("colour", models.CharField(default="#565c65", help_text="The colour of this type's boundary lines on maps, like #565c65.", max_length=7, validators=[django.core.validators.RegexValidator("^#[0-9a-fA-F]{6}$", "Enter a colour as # and six hexadecimal digits, like #1b1b1b.")], verbose_name="map colour")),
            ],
            options={
                "verbose_name": "area type",
                "verbose_name_plural": "area types",
                "ordering": ["display_order", "name"],
            },
        ),
        migrations.RunPython(create_types, migrations.RunPython.noop),
    ]
