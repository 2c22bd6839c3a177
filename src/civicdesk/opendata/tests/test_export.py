"""Issue 13 item 10: the daily open data export (CSV and GeoJSON with a documented schema), its pages and its job."""

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from civicdesk.cases.models import Case
from civicdesk.gis.demo import seed_boundaries
from civicdesk.opendata.actions import export_dir, forget_old_exports, write_export
from civicdesk.opendata.models import Export
from civicdesk.opendata.queries import approximate
from civicdesk.opendata.schema import COLUMNS
from civicdesk.opendata.tasks import export_open_data
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_folder(settings: Any, tmp_path: Path) -> Path:
    settings.OPEN_DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def located_request(db: Any) -> Case:
    agency = create_agency("works")
    service = create_service(agency, "pothole")
    case = create_case(service=service, body="=HYPERLINK(\"http://evil.example\") my doorstep", lat=40.01234,
                       lon=-75.12789, address="9 Oak Lane")
    return case


def downloaded(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]


def test_a_coordinate_is_rounded_to_the_centre_of_its_hundred_metre_square() -> None:
    assert approximate(40.01234) == 40.012
    assert approximate(-75.12789) == -75.128
    assert approximate(40.0125) == 40.013
    assert approximate(None) is None and approximate(float("nan")) is None


def test_the_csv_and_geojson_carry_the_schema_columns_rounded_and_without_private_text(
        located_request: Case, client: Client) -> None:
    result = write_export()
    assert result.created and result.export.rows == 1
    [row] = list(csv.DictReader(io.StringIO(downloaded(client, "/open-data/requests.csv"))))
    assert tuple(row) == COLUMNS
    assert row["service_request_id"] == located_request.public_id and row["service_code"] == "pothole"
    assert (row["lat"], row["long"]) == ("40.012", "-75.128")
    assert row["description"] == "" and "doorstep" not in json.dumps(row) and "Oak Lane" not in json.dumps(row)
    assert row["status"] == "open" and row["closed_datetime"] == ""
    collection = json.loads(downloaded(client, "/open-data/requests.geojson"))
    [feature] = collection["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [-75.128, 40.012]}
    assert set(feature["properties"]) == set(COLUMNS)


def test_a_published_description_that_looks_like_a_formula_is_defused_in_the_csv(
        located_request: Case, client: Client) -> None:
    service = located_request.service
    assert service is not None
    service.publish_description = True
    service.save()
    write_export()
    [row] = list(csv.DictReader(io.StringIO(downloaded(client, "/open-data/requests.csv"))))
    assert row["description"].startswith("'=HYPERLINK")
    [feature] = json.loads(downloaded(client, "/open-data/requests.geojson"))["features"]
    assert feature["properties"]["description"].startswith("=HYPERLINK")  # JSON is data, not a spreadsheet


def test_each_row_names_its_ward(client: Client) -> None:
    seed_boundaries()
    service = create_service(create_agency("streets"), "streetlight")
    create_case(service=service, lat=40.01, lon=-75.01)
    create_case(service=service)  # no location: no area, no geometry
    write_export()
    rows = {r["lat"]: r for r in csv.DictReader(io.StringIO(downloaded(client, "/open-data/requests.csv")))}
    assert rows["40.01"]["area"].startswith("Ward ")
    assert rows[""]["area"] == ""
    features = json.loads(downloaded(client, "/open-data/requests.geojson"))["features"]
    assert sorted(f["geometry"] is None for f in features) == [False, True]


def test_the_job_writes_one_export_a_day_and_old_ones_are_forgotten(located_request: Case, settings: Any,
                                                                    export_folder: Path) -> None:
    assert export_open_data.call() == 1
    assert export_open_data.call() == 0  # today's exists: not written again
    assert Export.objects.count() == 1
    settings.OPEN_DATA_KEEP_DAYS = 2
    old = date(2020, 1, 1)
    write_export(old)
    assert export_dir(old).exists()
    assert forget_old_exports(timezone.localdate()) == 1
    assert not export_dir(old).exists() and list(Export.objects.values_list("day", flat=True)) == [
        timezone.localdate()]


def test_the_page_lists_the_exports_and_documents_every_column(located_request: Case, client: Client) -> None:
    empty = client.get("/open-data/").content.decode()
    assert "No export has been written yet" in empty
    assert client.get("/open-data/requests.csv").status_code == 404
    write_export()
    write_export(timezone.localdate() - timedelta(days=1))
    html = client.get("/open-data/").content.decode()
    for column in COLUMNS:
        assert f"<code>{column}</code>" in html
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert f"/open-data/{day}/requests.geojson" in html
    assert client.get(f"/open-data/{day}/requests.csv").status_code == 200
    schema = client.get("/open-data/schema.json").json()
    assert [f["name"] for f in schema["fields"]] == list(COLUMNS)


@pytest.mark.parametrize("path", ["/open-data/2026-13-45/requests.csv", "/open-data/1999-01-01/requests.csv",
                                  "/open-data/requests.xlsx"])
def test_a_day_or_format_that_does_not_exist_is_a_plain_404(path: str, client: Client) -> None:
    assert client.get(path).status_code == 404


def test_the_spanish_page_speaks_spanish(client: Client) -> None:
    html = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Datos abiertos" in html


def test_two_processes_exporting_the_same_day_at_once_both_finish_and_one_whole_export_stays(
        export_folder: Path) -> None:
    """CI's two test workers once wrote the same day's folder together: one removed the old folder, the other moved
    its own in, and the first one's move failed with 'Directory not empty'."""
    import tempfile
    import threading

    from civicdesk.opendata.actions import _swap_in

    target = export_folder / "2026-12-07"
    failures: list[BaseException] = []

    def export(writer: int) -> None:
        for round_ in range(40):
            scratch = Path(tempfile.mkdtemp(dir=export_folder))
            (scratch / "requests.csv").write_text(f"{writer}-{round_}")
            try:
                _swap_in(scratch, target)
            except BaseException as error:  # noqa: BLE001 - collected for the assertion below
                failures.append(error)

    threads = [threading.Thread(target=export, args=(writer,)) for writer in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert [path.name for path in target.iterdir()] == ["requests.csv"]
    assert sorted(path.name for path in export_folder.iterdir()) == [".swap.lock", "2026-12-07"]
