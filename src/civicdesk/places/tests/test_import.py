"""Importing address points, streets and places from GeoJSON, Shapefile (plain and zipped), GeoPackage and CSV."""

import json
import sqlite3
import zipfile
from io import StringIO

import pytest
import shapefile
import shapely
from django.core.management import CommandError, call_command
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from civicdesk.gis.formats.gpkg import encode_gpkg_geometry
from civicdesk.places.actions import import_places
from civicdesk.places.formats.base import PlacesFileError
from civicdesk.places.formats.readers import read_places_file
from civicdesk.places.models import AddressPoint, Dataset, Place, Street, StreetClass

pytestmark = pytest.mark.django_db
TO_PA_SOUTH = Transformer.from_crs("EPSG:4326", "EPSG:2272", always_xy=True)  # US feet


def run(*args: str) -> str:
    out = StringIO()
    call_command("addresses", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geometry)}


def test_a_geojson_of_addresses_is_imported_with_labels_built_from_number_and_street(tmp_path):
    path = tmp_path / "addresses.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"house_number": 100, "street_name": "Main Street", "zip": "19100"}, Point(-75.0, 40.0)),
        feature({"house_number": 12, "street_name": "Oak Avenue", "unit": "2B"}, Point(-75.01, 40.01)),
        {"type": "Feature", "properties": {"house_number": 1, "street_name": "Nowhere"}, "geometry": None},
    ]}))
    output = run("import", str(path))
    assert "Imported 2 addresses" in output and "1 rows skipped" in output and "no geometry" in output
    main = AddressPoint.objects.get(street="Main Street")
    assert (main.number, main.label, main.postcode, main.lat, main.lon) == ("100", "100 Main Street", "19100", 40.0,
                                                                            -75.0)
    assert AddressPoint.objects.get(street="Oak Avenue").label == "12 Oak Avenue, Unit 2B"
    assert Dataset.objects.get(pk=1).version == 1


def test_a_geojson_in_a_projected_crs_is_reprojected_to_latitude_and_longitude(tmp_path):
    x, y = TO_PA_SOUTH.transform(-75.0, 40.0)
    path = tmp_path / "projected.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties": {
        "name": "urn:ogc:def:crs:EPSG::2272"}}, "features": [feature({"ADDRESS": "5 Elm St"}, Point(x, y))]}))
    run("import", str(path))
    point = AddressPoint.objects.get()
    assert (point.number, point.street) == ("5", "Elm St")
    assert point.lat == pytest.approx(40.0, abs=1e-6) and point.lon == pytest.approx(-75.0, abs=1e-6)


def test_projected_coordinates_without_a_declared_crs_are_bad_rows_not_a_crash(tmp_path):
    path = tmp_path / "undeclared.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"address": "5 Elm St"}, Point(2_700_000, 250_000))]}))
    output = run("import", str(path))
    assert "Imported 0 addresses" in output and "out of range" in output


def write_shapefile(tmp_path, name, shape_type, rows):
    with shapefile.Writer(str(tmp_path / name), shapeType=shape_type) as writer:
        for field in rows[0][0]:
            writer.field(field, "C", size=50)
        for props, geometry in rows:
            if shape_type == shapefile.POINT:
                writer.point(geometry.x, geometry.y)
            else:
                writer.line([list(geometry.coords)])
            writer.record(**props)
    return tmp_path / f"{name}.shp"


def test_a_shapefile_of_streets_is_imported_with_classes_from_highway_values(tmp_path):
    path = write_shapefile(tmp_path, "streets", shapefile.POLYLINE, [
        ({"NAME": "Main Street", "HIGHWAY": "primary"}, LineString([(-75.01, 40.0), (-74.99, 40.0)])),
        ({"NAME": "Oak Lane", "HIGHWAY": "residential"}, LineString([(-75.0, 39.99), (-75.0, 40.01)])),
        ({"NAME": "River Trail", "HIGHWAY": "footway"}, LineString([(-75.0, 39.99), (-75.01, 40.01)])),
    ])
    output = run("import", str(path), "--layer", "streets")
    assert "Imported 3 streets" in output
    classes = dict(Street.objects.values_list("name", "street_class"))
    assert classes == {"Main Street": StreetClass.PRIMARY, "Oak Lane": StreetClass.RESIDENTIAL,
                       "River Trail": StreetClass.PATH}
    main = Street.objects.get(name="Main Street")
    assert (main.min_lon, main.max_lon, main.min_lat, main.max_lat) == (-75.01, -74.99, 40.0, 40.0)
    assert shapely.from_wkb(bytes(main.wkb)).geom_type == "LineString"


def test_a_zipped_shapefile_of_points_with_a_prj_is_reprojected(tmp_path):
    x, y = TO_PA_SOUTH.transform(-75.0, 40.0)
    write_shapefile(tmp_path, "addr", shapefile.POINT, [({"ADDR_NUM": "7", "ST_NAME": "Pine St"}, Point(x, y))])
    from pyproj import CRS

    (tmp_path / "addr.prj").write_text(CRS.from_epsg(2272).to_wkt("WKT1_ESRI"))
    archive = tmp_path / "addr.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for suffix in ("shp", "shx", "dbf", "prj"):
            z.write(tmp_path / f"addr.{suffix}", f"addr.{suffix}")
    run("import", str(archive))
    point = AddressPoint.objects.get()
    assert point.label == "7 Pine St"
    assert point.lat == pytest.approx(40.0, abs=1e-6) and point.lon == pytest.approx(-75.0, abs=1e-6)


def write_gpkg(path, rows, srs_id=4326):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, "
               "organization_coordsys_id INTEGER, definition TEXT, description TEXT)")
    db.execute("INSERT INTO gpkg_spatial_ref_sys VALUES ('x', ?, 'EPSG', ?, 'undefined', '')", (srs_id, srs_id))
    db.execute("CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, "
               "description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER)")
    db.execute("INSERT INTO gpkg_contents VALUES ('parks', 'features', 'parks', '', '2026-01-01', 0, 0, 0, 0, ?)",
               (srs_id,))
    db.execute("CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, geometry_type_name TEXT, "
               "srs_id INTEGER, z INTEGER, m INTEGER)")
    db.execute("INSERT INTO gpkg_geometry_columns VALUES ('parks', 'geom', 'GEOMETRY', ?, 0, 0)", (srs_id,))
    db.execute("CREATE TABLE parks (fid INTEGER PRIMARY KEY, geom BLOB, name TEXT, leisure TEXT)")
    db.executemany("INSERT INTO parks (geom, name, leisure) VALUES (?, ?, ?)",
                   [(None if g is None else (g if isinstance(g, bytes) else encode_gpkg_geometry(g, srs_id)), n, k)
                    for n, k, g in rows])
    db.commit()
    db.close()


def test_a_geopackage_of_places_is_imported_with_kinds_and_label_points(tmp_path):
    path = tmp_path / "places.gpkg"
    write_gpkg(path, [("Commons Park", "park", box(-75.002, 39.999, -75.0, 40.001)),
                      ("City Hall", "townhall", Point(-75.0, 40.0)),
                      ("Broken", "park", b"GP\x00\x01garbage"),
                      ("", "park", Point(-75.0, 40.0))])
    output = run("import", str(path), "--layer", "places")
    assert "Imported 2 places" in output and "2 rows skipped" in output and "no name" in output
    park = Place.objects.get(name="Commons Park")
    assert park.kind == "park" and shapely.from_wkb(bytes(park.wkb)).contains(Point(park.lon, park.lat))
    assert Place.objects.get(name="City Hall").kind == "civic"


def test_a_csv_with_latitude_and_longitude_columns_is_imported_and_bad_lines_are_counted(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_text("ADDR_NUM,ST_NAME,LATITUDE,LONGITUDE\n100,Main St,40.0,-75.0\n102,Main St,north,-75.0\n"
                    "104,Main St,40.0002,-75.0001\n")
    output = run("import", str(path))
    assert "Imported 2 addresses" in output and "1 rows skipped" in output and "line 3" in output
    assert sorted(AddressPoint.objects.values_list("label", flat=True)) == ["100 Main St", "104 Main St"]


def test_a_csv_without_coordinates_is_refused_naming_what_is_missing(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_text("number,street,lat\n1,Main St,40\n")
    with pytest.raises(CommandError) as error:
        run("import", str(path))
    assert "Nothing was imported" in str(error.value) and "no longitude column" in str(error.value)
    assert "number, street" in str(error.value)


def test_a_file_without_a_street_column_is_refused_and_a_named_column_fixes_it(tmp_path):
    path = tmp_path / "addresses.csv"
    path.write_text("num,road_name,lat,lon\n1,Main St,40,-75\n")
    with pytest.raises(CommandError, match="No column for the street"):
        run("import", str(path))
    assert "Imported 1 addresses" in run("import", str(path), "--field", "street=road_name")


def test_replace_swaps_the_layer_in_one_go_and_a_failed_import_keeps_the_old_rows(tmp_path):
    good = tmp_path / "a.csv"
    good.write_text("number,street,lat,lon\n1,Main St,40,-75\n2,Main St,40,-75\n")
    run("import", str(good))
    again = tmp_path / "b.csv"
    again.write_text("number,street,lat,lon\n9,Oak St,40,-75\n")
    assert "replacing 2" in run("import", str(again), "--replace")
    assert list(AddressPoint.objects.values_list("label", flat=True)) == ["9 Oak St"]
    with pytest.raises(CommandError):
        run("import", str(tmp_path / "missing.csv"), "--replace")
    assert AddressPoint.objects.count() == 1


def test_unknown_formats_and_broken_files_give_one_clear_message(tmp_path):
    for name, content in [("a.txt", "hello"), ("b.geojson", "{not json"), ("c.gpkg", "SQLite format 3\x00junk")]:
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(PlacesFileError):
            read_places_file(path)


def test_streets_must_be_lines_and_places_points_or_polygons(tmp_path):
    path = tmp_path / "mixed.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"name": "A"}, Point(-75, 40)), feature({"name": "B"}, LineString([(-75, 40), (-75.1, 40)]))]}))
    report = import_places(read_places_file(path), layer="streets")
    assert (report.created, report.bad) == (1, 1) and "must be a line" in report.problems[0]
    report = import_places(read_places_file(path), layer="places")
    assert (report.created, report.bad) == (1, 1) and "point or a polygon" in report.problems[0]


def test_a_large_file_shows_a_progress_bar_and_imports_in_batches(tmp_path, capsys):
    path = tmp_path / "many.csv"
    path.write_text("number,street,lat,lon\n" + "".join(f"{n},Main St,40.0,-75.0\n" for n in range(12_000)))
    out = StringIO()
    call_command("addresses", "import", str(path), stdout=out)
    assert AddressPoint.objects.count() == 12_000
    assert "Importing addresses" in capsys.readouterr().err
