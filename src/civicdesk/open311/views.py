"""Open311 GeoReport v2 endpoints: parse, call one query or action, render XML or JSON (errors included)."""

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from civicdesk.open311 import actions, jurisdictions, keys, queries, resources
from civicdesk.open311.formats import FORMATS, error_response, render
from civicdesk.open311.parsing import (
    Open311Error,
    decode_form,
    form_fields,
    param,
    parse_datetime,
    reject_nul,
    request_filters,
    unreadable,
)
from civicdesk.open311.submission import validate_submission

DISCOVERY_CHANGESET = "2026-01-15T00:00:00Z"  # bump when the API offered here changes
View = Callable[..., HttpResponse]
PATH_FIELDS = {"number": "service_request_id", "code": "service_code"}  # URL parts, by their Open311 names


def open311_view(*methods: str) -> Callable[[View], View]:
    """Format by extension (unknown → 404), allowed methods, and every Open311Error as the spec's error body."""
    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: Any) -> HttpResponse:
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error_response("xml", 404, [(404, f"Format '{fmt[:20]}' is not offered: use .xml or .json.")])
            if request.method not in methods:
                return error_response(fmt, 400, [(400, f"Method {request.method} is not supported here "
                                                       f"(use {' or '.join(methods)}).")])
            try:
                reject_nul([*form_fields(request.GET), *((PATH_FIELDS.get(k, k), v) for k, v in kwargs.items())])
                return view(request, fmt, **kwargs)
            except SuspiciousOperation as exc:  # e.g. more query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS
                return error_response(fmt, 400, unreadable(exc).errors)
            except keys.RateLimited as exc:
                return error_response(fmt, exc.status, exc.errors, headers={"Retry-After": str(exc.retry_after)})
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.errors)
        return wrapper
    return decorate


def _scope(data: Any) -> list[int] | None:
    jurisdiction = jurisdictions.resolve(param(data, "jurisdiction_id"))
    return jurisdiction.agency_ids() if jurisdiction else None


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    return render(fmt, "discovery", resources.discovery(DISCOVERY_CHANGESET))


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    items = [resources.service_item(s) for s in queries.services(_scope(request.GET))]
    return render(fmt, "services", items)


@open311_view("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    service = queries.service(code, _scope(request.GET))
    if service is None:
        raise Open311Error(404, f"service_code: '{code[:64]}' is not a service here.")
    return render(fmt, "service_definition", resources.service_definition(service))


@open311_view("GET", "POST")
def request_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    agency_ids = _scope(request.GET)  # an unknown jurisdiction is reported before any other parameter
    query = request_filters(request.GET)
    cases = queries.service_requests(query.filters, agency_ids, page=query.page, page_size=query.page_size)
    return _requests(fmt, cases, extended=param(request.GET, "extensions") == "true")


def _requests(fmt: str, cases: list[Any], *, extended: bool) -> HttpResponse:
    notes = queries.notes_by_case([c.pk for c in cases]) if extended else {}
    items = [resources.request_item(c, notes.get(c.pk) if extended else None) for c in cases]
    return render(fmt, "service_requests", items)


def _read_body(request: HttpRequest) -> tuple[bytes, str]:
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        raise Open311Error(400, "The request body is too large (media files included).") from exc
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.lower().startswith("application/json"):
        raise Open311Error(400, "Send the fields form-encoded (application/x-www-form-urlencoded or multipart).")
    return raw, content_type


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    raw, content_type = _read_body(request)
    body = decode_form(raw, content_type)
    agency_ids = _scope(body.data)
    api_key = keys.authenticate(param(body.data, "api_key"))
    keys.count_request(api_key)
    submission = validate_submission(body, check_outside=True)
    if agency_ids is not None and submission.service.agency_id not in agency_ids:
        raise Open311Error(404, f"service_code: '{submission.service.code}' is not a service of this jurisdiction.")
    done = actions.submit_request(raw, content_type, api_key, submission)
    item: dict[str, Any] = ({"service_request_id": done.service_request_id} if done.service_request_id
                            else {"token": done.token})
    item.update({"service_notice": None, "account_id": submission.account_id or None})
    return render(fmt, "service_requests", [item])


@open311_view("GET")
def request_detail(request: HttpRequest, fmt: str, number: str) -> HttpResponse:
    case = queries.service_request(number, _scope(request.GET))
    if case is None:
        raise Open311Error(404, f"service_request_id: '{number[:40]}' not found.")
    return _requests(fmt, [case], extended=param(request.GET, "extensions") == "true")


@open311_view("GET")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    _scope(request.GET)
    found = queries.batch_token(token)
    if found is None:
        raise Open311Error(404, f"token: '{token[:40]}' not found.")
    status = actions.token_status(found)
    item = {"service_request_id": status.service_request_id, "token": status.token} if status.service_request_id \
        else {"token": status.token}
    return render(fmt, "service_requests", [item])


@open311_view("GET", "POST")
def request_updates(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        raw, content_type = _read_body(request)
        data = decode_form(raw, content_type).data
        _scope(data)
        api_key = keys.authenticate(param(data, "api_key"))
        keys.count_request(api_key)
        update_id = actions.submit_update(raw, content_type, api_key)
        return render(fmt, "service_request_updates", [{"update_id": update_id}])
    agency_ids = _scope(request.GET)  # an api_key sent on this GET (FixMyStreet does) is ignored
    end = parse_datetime(param(request.GET, "end_date") or "", "end_date") if param(request.GET, "end_date") \
        else timezone.now()
    start = parse_datetime(param(request.GET, "start_date") or "", "start_date") \
        if param(request.GET, "start_date") else end - timedelta(days=1)
    if start > end:
        raise Open311Error(400, "start_date: later than end_date.")
    rows = queries.request_updates(start, end, agency_ids)
    return render(fmt, "service_request_updates", [resources.update_item(r) for r in rows])


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    fmt = "json" if path.lower().endswith(".json") else "xml"
    return error_response(fmt, 404, [(404, f"No such Open311 resource: /{path[:80]}")])
