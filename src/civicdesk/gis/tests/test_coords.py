"""Coordinates in email and SMS text."""

import pytest

from civicdesk.gis.coords import find_coordinates


@pytest.mark.parametrize("text, expected", [
    ("Pin: geo:40.0012,-75.0034 thanks", (40.0012, -75.0034)),
    ("https://www.openstreetmap.org/?mlat=40.0012&mlon=-75.0034#map=18/40.0012/-75.0034", (40.0012, -75.0034)),
    ("See https://maps.example.com/@40.0012,-75.0034,17z", (40.0012, -75.0034)),
    ("Latitude: 40.0012 Longitude: -75.0034", (40.0012, -75.0034)),
    ("It is at 40.0012, -75.0034 near the school", (40.0012, -75.0034)),
    ("Call 215.555.0134 about 12 Main St", None),
    ("coordinates 140.0012, -75.0034 are wrong", None),
])
def test_find_coordinates(text, expected):
    assert find_coordinates(text) == expected
