"""Boundary upload in the admin (each format), activation there, and the command's progress bar on large files."""

import io
import zipfile

import pytest
import shapely
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from civicdesk.gis.formats.base import SourceFeature
from civicdesk.gis.formats.geojson import write_geojson
from civicdesk.gis.formats.gpkg import write_gpkg
from civicdesk.gis.formats.shp import write_shapefile
from civicdesk.gis.models import Area, Generation
from civicdesk.gis.tests import fixtures as city
from civicdesk.gis.tests.test_import import UTM, projected_features

pytestmark = pytest.mark.django_db
URL = "/admin/gis/generation/import/"


def upload_bytes(fmt: str, tmp_path) -> tuple[str, bytes]:
    features = city.ward_source(include_bowtie=True).features
    if fmt == "geojson":
        write_geojson(tmp_path / "w.geojson", features)
        return "wards.geojson", (tmp_path / "w.geojson").read_bytes()
    if fmt == "gpkg":
        write_gpkg(tmp_path / "w.gpkg", [*projected_features(), SourceFeature({"NAME": "Bow tie", "CODE": "X"},
                                                                              shapely.transform(city.BOWTIE, _utm))],
                   UTM)
        return "wards.gpkg", (tmp_path / "w.gpkg").read_bytes()
    write_shapefile(tmp_path / "w.shp", features, "EPSG:4326")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in tmp_path.glob("w.*"):
            archive.write(part, part.name)
    return "wards.zip", buffer.getvalue()


def _utm(coords):
    import numpy as np
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", UTM, always_xy=True).transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


@pytest.mark.parametrize("fmt", ["geojson", "shp-zip", "gpkg"])
def test_admin_upload_imports_reports_repairs_and_activates(admin_client, tmp_path, fmt):
    assert admin_client.get(URL).status_code == 200
    name, content = upload_bytes(fmt, tmp_path)
    response = admin_client.post(URL, {"file": SimpleUploadedFile(name, content), "area_type": "ward",
                                       "name_field": "NAME", "code_field": "CODE"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Imported 5 areas into generation" in html, html[:3000]
    assert "Repaired &#x27;Bow tie&#x27;" in html and "Self-intersection" in html
    generation = Generation.objects.get()
    assert not generation.active and Area.objects.filter(generation_low=generation).count() == 5
    ward_a = shapely.from_wkb(bytes(Area.objects.get(name="Ward A").wkb))
    assert shapely.hausdorff_distance(ward_a, city.WARD_A) < 1e-7 and len(ward_a.interiors) == 1
    admin_client.post("/admin/gis/generation/", {"action": "activate", "_selected_action": [generation.pk]})
    generation.refresh_from_db()
    assert generation.active


def test_admin_upload_of_a_bad_file_imports_nothing(admin_client):
    response = admin_client.post(URL, {"file": SimpleUploadedFile("w.geojson", b'{"type": "FeatureCollection"'),
                                       "area_type": "ward", "name_field": "NAME"})
    assert response.status_code == 200 and "Nothing was imported" in response.content.decode()
    response = admin_client.post(URL, {"file": SimpleUploadedFile("w.kml", b"<kml/>"), "area_type": "ward",
                                       "name_field": "NAME"})
    assert "Use one of" in response.content.decode()
    assert not Generation.objects.exists()


def test_command_shows_progress_on_large_files(tmp_path, capsys):
    features = [SourceFeature({"NAME": f"Block {i}"}, shapely.box(-75 + i * 0.001, 40, -75 + (i + 1) * 0.001, 40.001))
                for i in range(250)]
    write_geojson(tmp_path / "blocks.geojson", features)
    call_command("boundaries", "import", str(tmp_path / "blocks.geojson"), "--type", "service_zone",
                 "--name-field", "NAME")
    err = capsys.readouterr().err
    assert "Checking" in err and "250/250" in err
    assert Area.objects.count() == 250
