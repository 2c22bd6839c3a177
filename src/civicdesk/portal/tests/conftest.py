"""Portal test fixtures: an agency with a service that asks one question of every datatype, and images."""

import io

import pytest
from PIL import Image

from civicdesk.agencies.models import AttributeDatatype as D
from civicdesk.testing.cache import fresh_shared_cache
from civicdesk.testing.factories import create_agency, create_service

ANSWERS = {
    "attr_size": "large",
    "attr_lanes": ["left", "right"],
    "attr_depth": "12.5",
    "attr_seen_at": "2026-03-01T08:30",
    "attr_landmark": "Near the bakery",
    "attr_details": "It has been there a week.",
}


@pytest.fixture(autouse=True)
def _clear_cache(request):
    yield from fresh_shared_cache(request)


@pytest.fixture
def service(db):
    agency = create_agency("public-works", "Public Works")
    return create_service(agency, "pothole", name="Pothole", group="Streets", keywords="road, hole",
                          description="A hole in the road surface.", attributes=[
        {"code": "note", "description": "Emergencies: call 911.", "variable": False},
        {"code": "size", "datatype": D.SINGLE_VALUE_LIST, "description": "How big is it?", "required": True,
         "values": [{"key": "small", "name": "Smaller than a plate"}, {"key": "large", "name": "Larger"}]},
        {"code": "lanes", "datatype": D.MULTI_VALUE_LIST, "description": "Which lanes?", "required": True,
         "values": [{"key": "left", "name": "Left lane"}, {"key": "right", "name": "Right lane"},
                    {"key": "bike", "name": "Bike lane"}]},
        {"code": "depth", "datatype": D.NUMBER, "description": "Depth in centimetres", "required": False},
        {"code": "seen_at", "datatype": D.DATETIME, "description": "When did you first see it?"},
        {"code": "landmark", "datatype": D.STRING, "description": "Nearby landmark"},
        {"code": "details", "datatype": D.TEXT, "description": "Anything else?"},
    ])


@pytest.fixture
def valid_data():
    return {"form_token": "0b6f0b7e-6f4e-4d2b-9a53-1e2f3a4b5c6d", "description": "A deep pothole.",
            "address": "12 Main St", "lat": "", "lon": "", "first_name": "Ada", "last_name": "Lovelace",
            "email": "Ada@Example.com", "phone": "(202) 456-1111", **ANSWERS}


def image_bytes(fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()
