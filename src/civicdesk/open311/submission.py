"""Validating a POST service request: location, contact fields, description, media and typed attributes."""

import math
from dataclasses import dataclass, field
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from civicdesk.agencies.models import AttributeDatatype, Service, ServiceAttribute
from civicdesk.agencies.queries import active_service
from civicdesk.contacts.identities import InvalidIdentity, normalize_email, normalize_phone
from civicdesk.gis.jurisdiction import outside_jurisdiction
from civicdesk.open311.parsing import FormBody, Open311Error, form_attributes, param, parse_datetime, parse_float

MAX_DESCRIPTION = 4000
MEDIA_FIELDS = ("media", "media[]", "photo")  # v2.1 draft `media`; FixMyStreet uploads photo1..N


@dataclass
class MediaFile:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ServiceRequestInput:
    """A valid POST requests.{fmt}, ready to become a NormalizedMessage."""

    service: Service
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    address_id: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    description: str = ""
    media_url: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    media: list[MediaFile] = field(default_factory=list)


def _limited(data: Any, name: str, limit: int, errors: list[str]) -> str:
    value = param(data, name) or ""
    if len(value) > limit:
        errors.append(f"{name}: at most {limit} characters, got {len(value)}.")
    return value


def _location(data: Any, errors: list[str]) -> tuple[float | None, float | None]:
    lat_raw, lon_raw = param(data, "lat"), param(data, "long")
    if (lat_raw is None) != (lon_raw is None):
        errors.append("lat and long must be sent together." + (" long is missing." if lon_raw is None
                                                                 else " lat is missing."))
        return None, None
    if lat_raw is None or lon_raw is None:
        return None, None
    try:
        return parse_float(lat_raw, "lat", 90), parse_float(lon_raw, "long", 180)
    except Open311Error as exc:
        errors += [e for _code, e in exc.errors]
        return None, None


def _answer(attribute: ServiceAttribute, values: list[str], errors: list[str]) -> Any:
    name = f"attribute[{attribute.code}]"
    datatype = attribute.datatype
    if datatype == AttributeDatatype.MULTI_VALUE_LIST:
        unknown = [v for v in values if v not in attribute.value_keys]
        if unknown:
            errors.append(f"{name}: {', '.join(unknown)[:80]} not among the keys {', '.join(attribute.value_keys)}.")
        return list(dict.fromkeys(values))
    if len(values) > 1:
        errors.append(f"{name}: one value expected, got {len(values)}.")
    value = values[0]
    if datatype == AttributeDatatype.SINGLE_VALUE_LIST and value not in attribute.value_keys:
        errors.append(f"{name}: '{value[:40]}' is not among the keys {', '.join(attribute.value_keys)}.")
    elif datatype == AttributeDatatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            errors.append(f"{name}: '{value[:40]}' is not a number.")
            return value
        if not math.isfinite(number):
            errors.append(f"{name}: '{value[:40]}' is not a finite number.")
            return value
        return int(number) if number.is_integer() else number
    elif datatype == AttributeDatatype.DATETIME:
        try:
            return parse_datetime(value, name).isoformat()
        except Open311Error as exc:
            errors += [e for _code, e in exc.errors]
    elif datatype == AttributeDatatype.STRING and len(value) > 300:
        errors.append(f"{name}: at most 300 characters.")
    elif datatype == AttributeDatatype.TEXT and len(value) > MAX_DESCRIPTION:
        errors.append(f"{name}: at most {MAX_DESCRIPTION} characters.")
    return value


def _attributes(service: Service, data: Any, errors: list[str]) -> dict[str, Any]:
    given = form_attributes(data)
    answers: dict[str, Any] = {}
    for attribute in service.attributes.all():
        if not attribute.variable:
            continue
        values = given.get(attribute.code, [])
        if not values:
            if attribute.required:
                errors.append(f"attribute[{attribute.code}]: required ({attribute.description}).")
            continue
        answers[attribute.code] = _answer(attribute, values, errors)
    return answers  # codes the service does not define are ignored, as most servers do


def _media(body: FormBody, errors: list[str]) -> list[MediaFile]:
    files = []
    for upload in body.file_list(*MEDIA_FIELDS):
        content = upload.read()
        kind = filetype.guess(content)
        if kind is None or not kind.mime.startswith(("image/", "video/")):
            errors.append(f"media: '{(upload.name or '')[:60]}' is not an image or video.")
        elif len(content) > settings.MAX_PHOTO_BYTES:
            errors.append(f"media: '{(upload.name or '')[:60]}' is larger than {settings.MAX_PHOTO_BYTES} bytes.")
        else:
            files.append(MediaFile(upload.name or f"media.{kind.extension}", kind.mime, content))
    return files


def _check_location_mode(result: ServiceRequestInput, errors: list[str]) -> None:
    """Required: one of the three location forms (GeoReport v2). Optional: none needed. Not asked: a location sent
    anyway is checked for form but then ignored (the case has none, as on the portal). A request with neither a
    location nor a description says nothing, so a service without a required location needs the description."""
    service = result.service
    located = result.lat is not None or bool(result.address or result.address_id)
    if not service.asks_location:
        result.lat = result.lon = None
        result.address = result.address_id = ""
        located = False
    if service.requires_location:
        if not located and not any("lat" in e for e in errors):
            errors.append("A location is required: lat and long, address_string or address_id.")
    elif not located and not result.description.strip() and not any("lat" in e for e in errors):
        errors.append(f"description: required for '{service.code}' when no location is given "
                      f"(this service {'does not ask for' if not service.asks_location else 'does not need'} one).")


def _outside_problem(request: ServiceRequestInput) -> str:
    """lat/long far outside the jurisdiction (OPEN311_OUTSIDE_MARGIN_M beyond its boundary's extent), unless the
    service accepts outside locations. Nearer points outside are accepted, and routing flags them for staff."""
    if request.lat is None or request.lon is None or request.service.accepts_outside_locations:
        return ""
    outside = outside_jurisdiction(request.lat, request.lon, margin_m=settings.OPEN311_OUTSIDE_MARGIN_M)
    if outside is None:
        return ""
    hint = " Latitude and longitude look swapped." if outside.looks_swapped else ""
    return (f"lat/long: ({request.lat}, {request.lon}) is outside {outside.name}, the jurisdiction this endpoint "
            f"serves; service '{request.service.code}' takes locations in it only.{hint}")


def validate_submission(body: FormBody, *, check_outside: bool = False) -> ServiceRequestInput:
    """Check everything and report every problem at once; a 404 for an unknown service comes first.

    check_outside: also refuse lat/long far outside the jurisdiction (a new POST; not a stored one read back, which
    was accepted under the boundaries of its day)."""
    data = body.data
    code = param(data, "service_code")
    if code is None:
        raise Open311Error(400, "service_code: required.")
    service = active_service(code)
    if service is None:
        raise Open311Error(404, f"service_code: '{code[:64]}' is not a service here.")
    errors: list[str] = []
    lat, lon = _location(data, errors)
    result = ServiceRequestInput(
        service=service, lat=lat, lon=lon, address=_limited(data, "address_string", 300, errors),
        address_id=_limited(data, "address_id", 200, errors),
        device_id=_limited(data, "device_id", 200, errors) or _limited(data, "deviceid", 200, errors),
        account_id=_limited(data, "account_id", 200, errors),
        first_name=_limited(data, "first_name", 100, errors), last_name=_limited(data, "last_name", 100, errors),
        description=_limited(data, "description", MAX_DESCRIPTION, errors),
        media_url=_limited(data, "media_url", 1000, errors),
    )
    _check_location_mode(result, errors)
    if check_outside and not any(e.startswith(("lat", "long")) for e in errors):
        errors += [problem for problem in [_outside_problem(result)] if problem]
    for name, normalize in (("email", normalize_email), ("phone", normalize_phone)):
        raw = _limited(data, name, 320, errors)
        try:
            setattr(result, name, normalize(raw) if raw else "")
        except InvalidIdentity as exc:
            errors.append(f"{name}: {exc}")
    if result.media_url:
        try:
            URLValidator(schemes=["http", "https"])(result.media_url)
        except ValidationError:
            errors.append("media_url: not an http(s) URL.")
    result.attributes = _attributes(service, data, errors)
    result.media = _media(body, errors)
    if errors:
        raise Open311Error(400, *errors)
    return result
