"""Area types are data: the migration keeps every area's and rule's type, admins and the CLI define new types, and
the maps take their colours from the types."""

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicdesk.gis.actions import activate_generation, create_area_type, import_boundaries
from civicdesk.gis.formats.base import BoundaryFileError
from civicdesk.gis.formats.geojson import write_geojson
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area, AreaType, RoutingRule
from civicdesk.gis.routing import decide
from civicdesk.gis.tests import fixtures as city

BEFORE = [("gis", "0002_caselocation")]
AFTER = [("gis", "0004_area_type_foreign_keys")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_type_strings_into_area_types_without_losing_any() -> None:
    old = migrate(BEFORE)
    OldGeneration = old.get_model("gis", "Generation")
    OldArea = old.get_model("gis", "Area")
    OldRule = old.get_model("gis", "RoutingRule")
    generation = OldGeneration.objects.create(description="old", created_at="2026-01-01T00:00:00Z")
    shape = {"generation_low": generation, "generation_high": generation, "wkb": b"\x00", "min_lon": 0, "min_lat": 0,
             "max_lon": 1, "max_lat": 1, "area_m2": 1.0}
    OldArea.objects.create(type="city", name="Riverbend", **shape)
    OldArea.objects.create(type="ward", name="Ward 1", **shape)
    OldArea.objects.create(type="school_district", name="District 9", **shape)  # written by hand, outside choices
    OldRule.objects.create(area_type="police_precinct", priority=3)
    OldRule.objects.create(area_type="snow-zone", priority=1)
    try:
        new = migrate(AFTER)
        types = {t.slug: t for t in new.get_model("gis", "AreaType").objects.all()}
        assert {"city", "ward", "council_district", "police_precinct", "sanitation_zone", "service_zone",
                "school_district", "snow-zone"} == set(types)
        assert types["city"].is_jurisdiction and not types["ward"].is_jurisdiction
        assert types["school_district"].name == "School district"
        areas = {a.name: a.type.slug for a in new.get_model("gis", "Area").objects.select_related("type")}
        assert areas == {"Riverbend": "city", "Ward 1": "ward", "District 9": "school_district"}
        rules = sorted(r.area_type_id for r in new.get_model("gis", "RoutingRule").objects.all())
        assert rules == ["police_precinct", "snow-zone"]
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db
def test_a_new_type_is_created_and_imported_into_from_the_command_line(tmp_path) -> None:
    path = tmp_path / "snow.geojson"
    write_geojson(path, city.ward_source().features)
    out = io.StringIO()
    call_command("boundaries", "import", str(path), "--create-type", "Snow-route zone", "--name-field", "NAME",
                 stdout=out)
    assert "Created area type snow_route_zone" in out.getvalue()
    assert "Imported 4 snow_route_zone areas" in out.getvalue()
    snow = AreaType.objects.get(slug="snow_route_zone")
    assert snow.name == "Snow-route zone" and snow.plural == "Snow-route zones" and not snow.is_jurisdiction
    assert Area.objects.filter(type=snow).count() == 4
    call_command("boundaries", "import", str(path), "--type", "snow_route_zone", "--name-field", "NAME", stdout=out)
    assert Area.objects.filter(type="snow_route_zone").count() == 8
    types = io.StringIO()
    call_command("boundaries", "types", stdout=types)
    assert "snow_route_zone  Snow-route zone" in types.getvalue()
    assert "city  City  (the jurisdiction's boundary)" in types.getvalue()


@pytest.mark.django_db
def test_an_unknown_type_is_refused_naming_the_defined_ones_and_a_failed_import_creates_no_type(tmp_path) -> None:
    path = tmp_path / "wards.geojson"
    write_geojson(path, city.ward_source().features)
    with pytest.raises(CommandError, match="Unknown area type 'school_district'; use one of .*ward"):
        call_command("boundaries", "import", str(path), "--type", "school_district", "--name-field", "NAME")
    with pytest.raises(CommandError, match="no 'DISTRICT' field"):
        call_command("boundaries", "import", str(path), "--create-type", "School district", "--name-field",
                     "DISTRICT")
    assert not AreaType.objects.filter(slug="school_district").exists()
    with pytest.raises(BoundaryFileError, match="already exists"):
        create_area_type("Ward")
    with pytest.raises(BoundaryFileError, match="reserved"):
        create_area_type("Jurisdiction")


@pytest.mark.django_db
def test_an_admin_defines_a_type_and_its_slug_is_fixed_afterwards(admin_client) -> None:
    response = admin_client.post("/admin/gis/areatype/add/", {
        "slug": "school_district", "name": "School district", "plural_name": "", "description": "K-12",
        "display_order": "70", "colour": "#005ea2"})
    assert response.status_code == 302, response.content.decode()[:2000]
    school = AreaType.objects.get(slug="school_district")
    page = admin_client.get(f"/admin/gis/areatype/{school.pk}/change/").content.decode()
    assert 'name="slug"' not in page and "school_district" in page
    bad = admin_client.post("/admin/gis/areatype/add/", {"slug": "zone", "name": "Zone", "display_order": "1",
                                                          "colour": "blue"})
    assert bad.status_code == 200 and "six hexadecimal digits" in bad.content.decode()
    assert admin_client.get("/admin/gis/areatype/").status_code == 200


@pytest.mark.django_db
def test_the_map_data_carries_each_types_colour_and_the_jurisdiction_on_top(client, django_capture_on_commit_callbacks):
    AreaType.objects.filter(slug="ward").update(colour="#00bde3")
    with django_capture_on_commit_callbacks(execute=True):
        report = import_boundaries(city.ward_source(), area_type="ward", name_field="NAME")
        import_boundaries(city.ward_source(), area_type="city", name_field="NAME", generation=report.generation)
        activate_generation(report.generation)
    features = json.loads(client.get("/gis/areas.geojson").content)["features"]
    assert {f["properties"]["colour"] for f in features if f["properties"]["type"] == "ward"} == {"#00bde3"}
    assert [f["properties"]["jurisdiction"] for f in features][-1] is True  # drawn last, on top
    only_city = json.loads(client.get("/gis/areas.geojson?type=jurisdiction").content)["features"]
    assert {f["properties"]["type"] for f in only_city} == {"city"} and len(only_city) == 4
    both = json.loads(client.get("/gis/areas.geojson?type=ward,city").content)["features"]
    assert len(both) == 8


@pytest.mark.django_db
def test_a_point_in_a_zone_but_outside_the_city_boundary_is_flagged(django_capture_on_commit_callbacks):
    """The jurisdiction is the areas of the jurisdiction's types: wards alone do not make a point inside."""
    from civicdesk.gis.formats.base import SourceData, SourceFeature

    with django_capture_on_commit_callbacks(execute=True):
        report = import_boundaries(city.ward_source(), area_type="ward", name_field="NAME")
        import_boundaries(SourceData([SourceFeature({"NAME": "Small city"}, city.WARD_B)]), area_type="city",
                          name_field="NAME", generation=report.generation)
        activate_generation(report.generation)
    RoutingRule.objects.create(area_type="ward", priority=1)
    index = active_index()
    assert index is not None and index.jurisdiction_types == {"city"}
    in_a = decide(None, city.Y0 + 0.005, city.X0 + 0.002)  # ward A only
    assert in_a is not None and in_a.flagged and "outside the jurisdiction" in in_a.problem
    in_b = decide(None, city.Y0 + 0.005, city.X0 + 0.015)  # ward B and the city
    assert in_b is not None and not in_b.flagged
