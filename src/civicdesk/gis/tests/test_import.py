"""Boundary import: round trips through GeoJSON, Shapefile (plain and zipped) and GeoPackage, CRS, repair, bad input."""

import io
import json
import zipfile

import pytest
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer

from civicdesk.gis.actions import activate_generation, import_boundaries
from civicdesk.gis.formats.base import BoundaryFileError, SourceData, SourceFeature
from civicdesk.gis.formats.geojson import write_geojson
from civicdesk.gis.formats.gpkg import decode_gpkg_geometry, encode_gpkg_geometry, write_gpkg
from civicdesk.gis.formats.read import read_boundary_file
from civicdesk.gis.formats.shp import write_shapefile
from civicdesk.gis.models import Area, Generation
from civicdesk.gis.tests import fixtures as city

UTM = "EPSG:32618"  # UTM zone 18N, metres: the city lies in it


def projected_features() -> list[SourceFeature]:
    to_utm = Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
    return [SourceFeature(dict(f.properties), shapely.transform(f.geometry, lambda c: __import__("numpy").column_stack(
        to_utm.transform(c[:, 0], c[:, 1])))) for f in city.ward_source().features]


def write(fmt: str, tmp_path, features, crs):
    if fmt == "geojson":
        path = tmp_path / "wards.geojson"
        write_geojson(path, features, crs if crs != "EPSG:4326" else None)
    elif fmt == "gpkg":
        path = tmp_path / "wards.gpkg"
        write_gpkg(path, features, crs)
    else:
        path = tmp_path / "wards.shp"
        write_shapefile(path, features, crs)
        if fmt == "shp-zip":
            zipped = tmp_path / "wards.zip"
            with zipfile.ZipFile(zipped, "w") as archive:
                for part in tmp_path.glob("wards.*"):
                    if part.suffix != ".zip":
                        archive.write(part, f"wards/{part.name}")
            path = zipped
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["geojson", "shp", "shp-zip", "gpkg"])
@pytest.mark.parametrize("crs", ["EPSG:4326", UTM])
def test_round_trip(fmt, crs, tmp_path):
    features = city.ward_source().features if crs == "EPSG:4326" else projected_features()
    path = write(fmt, tmp_path, features, crs)
    source = read_boundary_file(path)
    report = import_boundaries(source, area_type="ward", name_field="NAME", code_field="CODE")
    assert report.created == 4 and report.repaired == []
    assert not report.generation.active
    for area in Area.objects.filter(generation_low=report.generation):
        original = city.WARDS[area.name]
        imported = shapely.from_wkb(bytes(area.wkb))
        assert imported.geom_type == original.geom_type
        assert shapely.hausdorff_distance(imported, original) < 1e-7, area.name
        assert abs(imported.area - original.area) / original.area < 1e-6
        assert len(imported.geoms if hasattr(imported, "geoms") else [imported]) == len(
            original.geoms if hasattr(original, "geoms") else [original])
    assert Area.objects.get(name="Ward A", generation_low=report.generation).code == "A"


def test_gpkg_header_round_trip():
    blob = encode_gpkg_geometry(city.WARD_C, 4326)
    geometry, srs = decode_gpkg_geometry(blob)
    assert srs == 4326 and geometry.equals(city.WARD_C)
    with pytest.raises(BoundaryFileError):
        decode_gpkg_geometry(b"XX" + blob[2:])


@pytest.mark.django_db
def test_invalid_polygon_is_repaired_and_reported():
    report = import_boundaries(city.ward_source(include_bowtie=True), area_type="ward", name_field="NAME")
    assert [name for name, _ in report.repaired] == ["Bow tie"]
    assert "Self-intersection" in report.repaired[0][1]
    area = Area.objects.get(name="Bow tie")
    geometry = shapely.from_wkb(bytes(area.wkb))
    assert area.was_repaired and geometry.is_valid and geometry.geom_type == "MultiPolygon"


def _source(geometry, crs=None) -> SourceData:
    return SourceData([SourceFeature({"NAME": "Good"}, city.WARD_B), SourceFeature({"NAME": "Bad"}, geometry)], crs)


@pytest.mark.django_db
@pytest.mark.parametrize("source, message", [
    (_source(shapely.Polygon()), "empty"),
    (_source(None), "empty"),
    (_source(shapely.box(10, 100, 11, 101)), "out of range"),
    (_source(shapely.box(40.0, -75.0, 40.01, -74.99)), "look like (lat, lon)"),
    (_source(shapely.Point(1, 1)), "polygon"),
    (_source(city.WARD_A, "EPSG:999999"), "Unknown coordinate reference system"),
    (SourceData([SourceFeature({"OTHER": "x"}, city.WARD_A)]), "no 'NAME' field"),
    (SourceData([]), "no features"),
])
def test_bad_input_imports_nothing(source, message):
    with pytest.raises(BoundaryFileError) as error:
        import_boundaries(source, area_type="ward", name_field="NAME")
    assert message in str(error.value)
    assert Area.objects.count() == 0 and Generation.objects.count() == 0


@pytest.mark.parametrize("name, content, message", [
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ("wrong.geojson", b'{"type": "Point", "coordinates": [1, 2]}', "FeatureCollection"),
    ("fake.gpkg", b"SQLite format 3\x00" + b"\x00" * 200, "GeoPackage"),
    ("fake.zip", b"PK\x03\x04garbage", "Cannot read"),
    ("notes.txt", b"hello", "unknown format"),
])
def test_unreadable_files_say_why(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BoundaryFileError) as error:
        read_boundary_file(path)
    assert message in str(error.value)


@pytest.mark.django_db
def test_zip_without_dbf(tmp_path):
    write_shapefile(tmp_path / "w.shp", city.ward_source().features, "EPSG:4326")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(tmp_path / "w.shp", "w.shp")
    (tmp_path / "w.zip").write_bytes(buffer.getvalue())
    with pytest.raises(BoundaryFileError, match="dbf"):
        read_boundary_file(tmp_path / "w.zip")


@pytest.mark.django_db
def test_command_imports_and_activates(tmp_path):
    path = tmp_path / "wards.geojson"
    write_geojson(path, city.ward_source().features)
    out = io.StringIO()
    call_command("boundaries", "import", str(path), "--type", "ward", "--name-field", "NAME", "--activate", stdout=out)
    assert "Imported 4 ward areas" in out.getvalue()
    assert Generation.objects.get().active
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"NAME": "X"}, "geometry": {"type": "Polygon", "coordinates": [
            [[10, 100], [11, 100], [11, 101], [10, 100]]]}}]}))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("boundaries", "import", str(bad), "--type", "ward", "--name-field", "NAME")
    assert Generation.objects.count() == 1


@pytest.mark.django_db
def test_generations_switch_at_once_and_carry_other_types(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = import_boundaries(city.ward_source(), area_type="ward", name_field="NAME").generation
        import_boundaries(SourceData([SourceFeature({"NAME": "Zone 1"}, city.WARD_C)]), area_type="sanitation_zone",
                          name_field="NAME", generation=first)
        activate_generation(first)
        big = SourceData([SourceFeature({"NAME": "Big ward"}, shapely.box(-75, 40, -74.98, 40.02))])
        second = import_boundaries(big, area_type="ward", name_field="NAME").generation
    from civicdesk.gis.lookup import active_index

    assert active_index().covering(*city.HOLE_INSIDE)["ward"]  # still the first generation's wards
    assert len(active_index().covering(*city.HOLE_INSIDE)["ward"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        activate_generation(second)
    index = active_index()
    assert index.generation_id == second.pk
    big = Area.objects.get(name="Big ward")
    assert index.covering(*city.HOLE_INSIDE)["ward"] == [big.pk]
    assert "ward" not in index.covering(*city.ISLAND)  # ward C was replaced by the big ward
    zone = Area.objects.get(name="Zone 1")
    assert zone.generation_high_id == second.pk  # carried over: the new generation has no sanitation zones
    assert index.covering(*city.VERTEX_ABC)["sanitation_zone"] == [zone.pk]
    with pytest.raises(ValueError):
        activate_generation(first)


@pytest.mark.django_db
def test_a_whole_set_with_swapped_axes_is_refused_when_boundaries_are_active(wards):
    swapped = SourceData([SourceFeature({"NAME": name}, shapely.transform(g, lambda c: c[:, ::-1]))
                          for name, g in city.WARDS.items()])
    with pytest.raises(BoundaryFileError, match="swapped"):
        import_boundaries(swapped, area_type="sanitation_zone", name_field="NAME")
    assert Generation.objects.count() == 1
