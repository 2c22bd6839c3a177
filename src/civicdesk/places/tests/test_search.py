"""Address and place suggestions (prefix, typos, place names, ranking), the nearest address, the base map layer and
their public endpoints."""

import json

import pytest
import shapely
from django.test import override_settings
from shapely.geometry import LineString, box

from civicdesk.places.actions import bump_version
from civicdesk.places.models import AddressPoint, Place, PlaceKind, Street, StreetClass
from civicdesk.places.search import current_index
from civicdesk.places.text import tokens
from civicdesk.search.typos import edit_distance

pytestmark = pytest.mark.django_db


def bbox(geometry):
    w, s, e, n = geometry.bounds
    return {"min_lon": w, "min_lat": s, "max_lon": e, "max_lat": n}


@pytest.fixture
def town():
    rows = []
    for street, lat in (("Main Street", 40.0), ("Maple Street", 40.002), ("Market Street", 40.004),
                        ("Washington Avenue", 40.006), ("Main Street Extension", 40.008)):
        for k in range(10):
            number = 100 + 2 * k
            rows.append(AddressPoint(number=str(number), street=street, label=f"{number} {street}", lat=lat,
                                     lon=-75.0 + k * 0.0002))
    rows.append(AddressPoint(number="1000", street="Main Street", label="1000 Main Street", lat=40.0, lon=-74.99))
    AddressPoint.objects.bulk_create(rows)
    for name, kind, geometry in (("Riverbend Public Library", PlaceKind.LIBRARY, box(-75.001, 40.01, -75.0, 40.011)),
                                 ("Riverbend City Hall", PlaceKind.CIVIC, box(-75.003, 40.01, -75.002, 40.011)),
                                 ("Commons Park", PlaceKind.PARK, box(-75.005, 40.01, -75.004, 40.012))):
        point = geometry.representative_point()
        Place.objects.create(name=name, kind=kind, wkb=shapely.to_wkb(geometry), lat=point.y, lon=point.x,
                             **bbox(geometry))
    for name, street_class, line in (("Main Street", StreetClass.PRIMARY, LineString([(-75.01, 40.0), (-74.98, 40.0)])),
                                     ("Maple Street", StreetClass.RESIDENTIAL,
                                      LineString([(-75.01, 40.002), (-74.98, 40.002)]))):
        Street.objects.create(name=name, street_class=street_class, wkb=shapely.to_wkb(line), **bbox(line))
    bump_version()


def labels(query):
    return [s.label for s in current_index().search(query)]


def test_words_are_normalised_with_street_abbreviations():
    assert tokens("100 Main Street, Apt 2") == ["100", "main", "st", "apt", "2"]
    assert tokens("Café Avenue NORTH") == ["cafe", "ave", "n"]
    assert edit_distance("mian", "main") == 1 and edit_distance("libary", "library") == 1
    assert edit_distance("abc", "xyz") == 3


def test_a_house_number_and_a_street_prefix_find_the_address_first(town):
    assert labels("100 main")[0] == "100 Main Street"
    assert labels("100 main st")[0] == "100 Main Street"
    assert labels("100 Main Street")[0] == "100 Main Street"
    assert labels("100 ma")[:3] == ["100 Main Street", "100 Maple Street", "100 Market Street"]


def test_a_partial_house_number_lists_the_numbers_that_start_with_it(town):
    found = labels("10 main st")
    assert found[:3] == ["100 Main Street", "102 Main Street", "104 Main Street"]
    assert len(found) <= 8


def test_typos_in_the_street_or_place_name_are_forgiven(town):
    assert labels("100 mian st")[0] == "100 Main Street"
    assert labels("104 washingtn ave")[0] == "104 Washington Avenue"
    assert labels("riverbend libary")[0] == "Riverbend Public Library"


def test_place_names_are_found_by_any_of_their_words(town):
    assert labels("City Hall") == ["Riverbend City Hall"]
    assert labels("commons")[0] == "Commons Park"
    assert labels("library")[0] == "Riverbend Public Library"


def test_a_street_name_alone_suggests_the_street_shortest_name_first(town):
    assert labels("main")[:2] == ["Main Street", "Main Street Extension"]


def test_a_number_that_does_not_exist_suggests_the_closest_numbers_on_that_street(town):
    assert labels("990 main st")[0] == "1000 Main Street"


def test_nothing_matching_gives_no_suggestions(town):
    assert labels("zzzz qqqq") == []
    assert labels("") == []


def test_the_index_reloads_after_an_import(town):
    assert labels("elm") == []
    AddressPoint.objects.create(number="5", street="Elm Street", label="5 Elm Street", lat=40.0, lon=-75.0)
    bump_version()
    assert labels("5 elm")[0] == "5 Elm Street"


def test_the_nearest_address_within_the_distance_is_returned(town):
    index = current_index()
    found = index.nearest(40.00005, -75.0, 150)
    assert found is not None and found.label == "100 Main Street" and found.distance_m < 10
    assert index.nearest(40.05, -75.0, 150) is None


def test_the_search_endpoint_returns_at_most_eight_suggestions_with_coordinates(client, town):
    response = client.get("/places/search", {"q": "1 ma"})
    assert response.status_code == 200
    data = response.json()
    assert 0 < len(data["results"]) <= 8
    first = data["results"][0]
    assert set(first) == {"label", "kind", "kind_label", "lat", "lon", "address"}
    assert client.get("/places/search", {"q": "x"}).json()["results"] == []
    assert client.get("/places/search").json()["results"] == []


def test_the_nearest_endpoint_answers_and_refuses_bad_input_with_a_400(client, town):
    data = client.get("/places/nearest", {"lat": "40.00005", "lon": "-75.0"}).json()
    assert data["address"]["label"] == "100 Main Street"
    assert client.get("/places/nearest", {"lat": "41", "lon": "-75"}).json() == {"address": None, "street": None}
    between = client.get("/places/nearest", {"lat": "40.0003", "lon": "-74.995"}).json()
    assert between["address"] is None and between["street"]["name"] == "Main Street"
    assert 30 < between["street"]["distance_m"] < 40
    for params in ({"lat": "north", "lon": "-75"}, {"lat": "200", "lon": "-75"}, {},
                   {"lat": "40", "lon": "-75", "max_m": "far"}, {"lat": "40", "lon": "-75", "max_m": "-1"}):
        assert client.get("/places/nearest", params).status_code == 400


@override_settings(PLACES_LOOKUPS_PER_MINUTE=3)
def test_the_public_endpoints_are_rate_limited(client, town):
    codes = [client.get("/places/search", {"q": "main"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/places/nearest", {"lat": "40", "lon": "-75"})
    assert limited.status_code == 429 and "Retry-After" in limited


def test_the_base_map_has_streets_by_class_parks_and_labelled_places(client, town):
    response = client.get("/places/basemap.geojson", {"bbox": "-75.02,39.99,-74.97,40.02", "zoom": "15"})
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    features = json.loads(response.content)["features"]
    streets = {f["properties"]["name"]: f["properties"]["class"] for f in features
               if f["properties"]["layer"] == "street"}
    assert streets == {"Main Street": "primary", "Maple Street": "residential"}
    assert {f["properties"]["name"] for f in features if f["properties"]["layer"] == "place"} == {
        "Riverbend Public Library", "Riverbend City Hall", "Commons Park"}
    assert any(f["properties"]["layer"] == "area" and f["properties"]["kind"] == "park" for f in features)


def test_the_base_map_leaves_out_small_streets_when_zoomed_out_and_what_is_outside_the_box(client, town):
    far = json.loads(client.get("/places/basemap.geojson", {"bbox": "-75.02,39.99,-74.97,40.02",
                                                            "zoom": "12"}).content)["features"]
    assert [f["properties"]["name"] for f in far if f["properties"]["layer"] == "street"] == ["Main Street"]
    away = json.loads(client.get("/places/basemap.geojson", {"bbox": "-76.02,38.99,-75.97,39.02",
                                                             "zoom": "15"}).content)["features"]
    assert away == []


def test_the_base_map_refuses_a_bad_box_or_zoom(client):
    for params in ({"bbox": "a,b,c,d", "zoom": "12"}, {"bbox": "1,2,0,3", "zoom": "12"}, {"bbox": "", "zoom": "1"},
                   {"bbox": "-75,39,-74,40", "zoom": "twelve"}):
        assert client.get("/places/basemap.geojson", params).status_code == 400


def test_maps_get_the_base_map_and_its_legend_only_without_a_tile_server(town):
    from civicdesk.gis.templatetags.gis_maps import map_data_attributes

    with override_settings(MAP_TILE_URL=""):
        plain = map_data_attributes()
    assert 'data-basemap-url="/places/basemap.geojson?v=' in plain and "Main road" in plain
    with override_settings(MAP_TILE_URL="https://tiles.example.org/{z}/{x}/{y}.png"):
        tiled = map_data_attributes()
    assert "data-basemap-url" not in tiled and 'data-tile-url="https://tiles.example.org' in tiled
