"""Tolerant reading of Open311 input: empty parameters, lists, lenient datetimes, form and multipart bodies."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from civicdesk.cases.filters import CaseFilters, Circle, Sort, StatusGroup


class Open311Error(Exception):
    """A request we cannot fulfil: the HTTP status and the (code, description) pairs of the error body."""

    def __init__(self, status: int, *errors: str) -> None:
        super().__init__("; ".join(errors))
        self.status = status
        self.errors = [(status, e) for e in errors]


def bad_request(*errors: str) -> Open311Error:
    return Open311Error(400, *errors)


def unreadable(exc: SuspiciousOperation) -> Open311Error:
    """Django's refusals of oversized input, in words that name what is wrong."""
    if isinstance(exc, TooManyFieldsSent):
        return bad_request(f"Too many fields: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} are accepted.")
    if isinstance(exc, TooManyFilesSent):
        return bad_request(f"media: too many files, at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}.")
    if isinstance(exc, RequestDataTooBig):
        return bad_request("The request body is too large (media files included).")
    return bad_request(f"The request cannot be read: {exc}")


def reject_nul(fields: Iterable[tuple[str, Any]]) -> None:
    """A NUL character is never valid input (PostgreSQL cannot even compare with it): a 400 naming the field."""
    bad = sorted({name for name, value in fields if "\x00" in str(name) or "\x00" in str(value)})
    if bad:
        raise bad_request(*(f"{name.replace(chr(0), '')[:60]}: contains a NUL character." for name in bad))


def form_fields(data: MultiValueDict) -> list[tuple[str, Any]]:
    return [(key, value) for key in data for value in data.getlist(key)]


def param(data: Any, name: str) -> str | None:
    """A parameter's value, stripped; an empty parameter is the same as an absent one."""
    value = data.get(name)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def param_list(data: Any, name: str) -> list[str]:
    """A comma-separated list parameter (repeated parameters are joined too)."""
    items: list[str] = []
    for raw in data.getlist(name) if hasattr(data, "getlist") else [data.get(name) or ""]:
        items += [part.strip() for part in str(raw).split(",") if part.strip()]
    return items


_DATETIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?P<fraction>[.,]\d+)?)?"
    r"\s*(?P<zone>Z|z|[+\- ]\d{2}(?::?\d{2})?)?$"
)


DATETIME_MARGIN = timedelta(days=366)


def parse_datetime(value: str, name: str) -> datetime:
    """W3C datetimes, leniently: fractions, a '+' that arrived as a space, or no zone (read in TIME_ZONE)."""
    match = _DATETIME.match(value.strip() if value.strip().endswith(("Z", "z")) else value.rstrip())
    if not match:
        raise bad_request(f"{name}: '{value[:40]}' is not a W3C datetime such as 2024-01-31T08:00:00-05:00.")
    time = match["time"] or "00:00:00"
    if len(time) == 5:
        time += ":00"
    if match["fraction"]:
        time += "." + match["fraction"][1:7].ljust(6, "0")  # microseconds kept, further digits dropped
    zone = (match["zone"] or "").upper()
    if zone.startswith(" "):
        zone = "+" + zone[1:]
    if zone and zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + (zone[3:] or "00")
    try:
        parsed = datetime.fromisoformat(f"{match['date']}T{time}{'+00:00' if zone == 'Z' else zone}")
    except ValueError as exc:
        raise bad_request(f"{name}: '{value[:40]}' is not a valid date and time.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    try:  # room for the 90-day default window and the conversion to UTC at either end of the calendar
        parsed.astimezone(UTC) - DATETIME_MARGIN, parsed.astimezone(UTC) + DATETIME_MARGIN
    except OverflowError as exc:
        raise bad_request(f"{name}: '{value[:40]}' is out of range.") from exc
    return parsed


def parse_float(value: str, name: str, limit: float) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise bad_request(f"{name}: '{value[:40]}' is not a number.") from exc
    if not -limit <= number <= limit or number != number:
        raise bad_request(f"{name}: {value[:40]} is outside -{limit:g}..{limit:g}.")
    return number


def parse_positive_int(value: str | None, name: str, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1:
        raise bad_request(f"{name}: '{value[:20]}' must be a whole number from 1.")
    return min(int(value), maximum)


def parse_bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class FormBody:
    """A decoded POST body: its fields, and its uploaded files for multipart."""

    data: MultiValueDict = field(default_factory=MultiValueDict)
    files: MultiValueDict = field(default_factory=MultiValueDict)

    def file_list(self, *names: str) -> list[UploadedFile]:
        found: list[UploadedFile] = []
        for name in self.files:
            if name in names or any(name.startswith(n) and name[len(n):].isdigit() for n in names):
                found += self.files.getlist(name)
        return found


def decode_form(raw: bytes, content_type: str) -> FormBody:
    """Decode a stored raw POST body exactly as the view would: urlencoded or multipart, in UTF-8."""
    if content_type.lower().startswith("multipart/form-data"):
        meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(raw))}
        try:
            data, files = MultiPartParser(meta, BytesIO(raw), [MemoryFileUploadHandler()], "utf-8").parse()
        except SuspiciousOperation as exc:
            raise unreadable(exc) from exc
        except MultiPartParserError as exc:
            raise bad_request(f"The multipart body cannot be read: {exc}") from exc
        reject_nul([*form_fields(data), *((k, getattr(f, "name", "") or "") for k, f in form_fields(files))])
        return FormBody(data, files)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request("The request body is not UTF-8.") from exc
    try:
        data = QueryDict(text, encoding="utf-8")
    except SuspiciousOperation as exc:
        raise unreadable(exc) from exc
    reject_nul(form_fields(data))
    return FormBody(data)


_ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\]((?:\[\])*)$")


def form_attributes(data: MultiValueDict) -> dict[str, list[str]]:
    """attribute[code]=v, attribute[code][]=v (and the doubly nested [][] some apps send), repeated or not."""
    answers: dict[str, list[str]] = {}
    for key in data:
        match = _ATTRIBUTE_KEY.match(key)
        if match:
            values = [str(v).strip() for v in data.getlist(key)]
            answers.setdefault(match[1], []).extend(v for v in values if v)
    return answers


class RequestsQuery(NamedTuple):
    """GET requests: which cases (the shared vocabulary) and which page of them."""

    filters: CaseFilters
    page: int
    page_size: int


def request_filters(data: Any) -> RequestsQuery:
    """GET requests parameters onto CaseFilters. service_request_id overrides every other filter; otherwise the
    window is 90 days back from end_date (or now) unless a start or an updated_* bound is given."""
    from civicdesk.open311.queries import MAX_RESULTS

    ids = param_list(data, "service_request_id")
    service_codes = param_list(data, "service_code")
    statuses = [s.lower() for s in param_list(data, "status")]
    unknown = [s for s in statuses if s not in StatusGroup.values]
    errors = [f"status: '{', '.join(unknown)[:40]}' is not open or closed."] if unknown else []
    bounds: dict[str, datetime] = {}
    for name in ("start_date", "end_date", "updated_after", "updated_before"):
        value = param(data, name)
        if value is not None:
            try:
                bounds[name] = parse_datetime(value, name)
            except Open311Error as exc:
                errors += [e for _c, e in exc.errors]
    lat, lon, radius = param(data, "lat"), param(data, "long"), param(data, "radius")
    near = None
    page, page_size = 1, MAX_RESULTS
    try:
        if (lat is None) != (lon is None):
            errors.append("lat and long must be given together.")
        elif lat is not None and lon is not None:
            point = parse_float(lat, "lat", 90), parse_float(lon, "long", 180)
            radius_m = parse_float(radius, "radius", 50_000) if radius else 500.0
            near = Circle(*point, radius_m)
            if radius_m <= 0:
                errors.append("radius: must be more than 0 metres.")
        page = parse_positive_int(param(data, "page"), "page", 1, 1_000_000)
        page_size = parse_positive_int(param(data, "page_size"), "page_size", MAX_RESULTS, MAX_RESULTS)
    except Open311Error as exc:
        errors += [e for _c, e in exc.errors]
    if errors:
        raise bad_request(*errors)
    start, end = bounds.get("start_date"), bounds.get("end_date")
    if start and end and start > end:
        raise bad_request("start_date: later than end_date.")
    newest = Sort.NEWEST.value
    if ids:
        return RequestsQuery(CaseFilters(public_ids=tuple(ids[:MAX_RESULTS]), include_merged=True, sort=newest),
                             1, MAX_RESULTS)
    updated_after, updated_before = bounds.get("updated_after"), bounds.get("updated_before")
    if start is None and not (updated_after or updated_before):
        start = (end or timezone.now()) - timedelta(days=90)
    group = statuses[0] if len(set(statuses)) == 1 else ""  # open and closed together: no narrowing
    return RequestsQuery(CaseFilters(
        services=tuple(service_codes), status_group=group, created_from=start, created_to=end,
        updated_from=updated_after, updated_to=updated_before, near=near, include_merged=True, sort=newest,
    ), page, page_size)
