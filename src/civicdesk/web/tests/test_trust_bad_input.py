"""Hostile values in every query parameter (and path part) of every public, staff and API GET route: never a 500."""

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from civicdesk.api.actions import create_token
from civicdesk.inbox.tests.conftest import World

pytestmark = pytest.mark.django_db

LONG = "x" * 5000
SAMPLE_CASE = "CD-2026-000001"  # stands for a real case of the signed-in agent's agency
SAMPLE_PUBLIC_ID = "sample-public-id"  # stands for that case's public id
HOSTILE = [
    "nan", "inf", "-inf", "1e308", "-1e308", "1e309", str(2**63), str(2**64), str(-(2**63) - 1), "-1", "0", "",
    "\x00", "a\x00b", LONG, "9" * 5000, "ü日本🚀\u202e", "[]", "{}", "[" * 2000, '{"a":' * 1000, "' OR 1=1 --",
    "../../etc/passwd", "9999-12-31", "0001-01-01", "nan,nan,nan,nan", "-inf,-inf,inf,inf", "1e308,1e308,1e309,1e309",
    "-1e308,-1e308,1e308,1e308", "-180,-90,180,90", "1,2,3", SAMPLE_CASE, "\r\nX-Injected: 1",
]
MAP_PARAMS = ["bbox", "status", "service", "agency", "from", "to", "aggregate", "grid"]
INBOX_PARAMS = ["q", "view", "status", "channel", "agency", "team", "assignee", "service", "created_from", "created_to",
                "sort", "sla", "status_group", "page"]
OPEN311_REQUESTS = ["service_request_id", "service_code", "status", "start_date", "end_date", "updated_after",
                    "updated_before", "lat", "long", "radius", "page", "page_size", "extensions", "jurisdiction_id"]


@dataclass
class Route:
    """How to call one route: who calls it, sample path parts, and the query parameters its view reads."""

    who: str  # "public", "staff" or "token"
    params: list[str] = field(default_factory=list)
    path: dict[str, str] = field(default_factory=dict)  # sample values; str parts are also fuzzed
    fuzz_path: tuple[str, ...] = ()


ROUTES: dict[str, Route] = {
    "api-areas": Route("public", ["lat", "lon", "type", "generation"]),
    "api-areas-lookup": Route("public", ["generation"]),  # POST only; its body is fuzzed below
    "channel-hook": Route("public", ["hub.mode", "hub.verify_token", "hub.challenge"],
                          path={"provider": "meta", "account_id": "1"}, fuzz_path=("provider",)),
    "channel-hook-endpoint": Route("public", ["MessageSid", "MessageStatus", "ErrorCode"],
                                   path={"provider": "twilio", "account_id": "1", "endpoint": "status"},
                                   fuzz_path=("provider", "endpoint")),
    **{f"telephony:{name}": Route("public", ["CallSid", "From", "To", "RecordingUrl", "TranscriptionText"],
                                  path={"account_id": "1"})
       for name in ("voice", "recording", "transcription")},
    "gis:nearby": Route("public", ["service", "lat", "lon"]),
    "places:search": Route("public", ["q"]),
    "places:nearest": Route("public", ["lat", "lon", "max_m"]),
    "places:basemap": Route("public", ["bbox", "zoom"]),
    "gis:follow": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "gis:merge-duplicate": Route("staff", path={"number": SAMPLE_CASE, "survivor": SAMPLE_CASE},
                                 fuzz_path=("number", "survivor")),
    "gis:relocate": Route("staff", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "gis:public-cases": Route("public", MAP_PARAMS),
    "gis:areas": Route("public", ["type"]),
    "gis:public-map": Route("public", MAP_PARAMS),
    "gis:public-list": Route("public", MAP_PARAMS),
    "gis:staff-map": Route("staff", MAP_PARAMS),
    "gis:staff-cases": Route("staff", MAP_PARAMS),
    "gis:hotspots": Route("staff", [*MAP_PARAMS, "cell_m"]),
    "gis:initiatives": Route("staff"),
    "gis:initiative": Route("staff", path={"pk": "1"}),
    "gis:initiative-create": Route("staff"),
    "gis:initiative-edit": Route("staff", path={"pk": "1"}),
    "accounts:otp-verify": Route("staff", ["next"]),
    "accounts:otp-setup": Route("staff", ["next"]),
    "accounts:two-factor": Route("staff"),
    "accounts:password-change": Route("staff"),
    "accounts:password-reset": Route("public"),
    "accounts:password-reset-sent": Route("public"),
    "accounts:password-reset-done": Route("public"),
    "accounts:password-reset-confirm": Route("public", path={"uidb64": "MQ", "token": "set-password"},
                                             fuzz_path=("uidb64", "token")),
    "inbox:login": Route("public", ["next"]),
    "inbox:logout": Route("staff", ["next"]),
    "inbox:inbox": Route("staff", INBOX_PARAMS),
    "dashboards:live": Route("staff", ["period"]),
    "dashboards:live-panel": Route("staff", ["period"]),
    "dashboards:trends": Route("staff", ["period", "group_by", "hours"]),  # an agent: 403 (dashboards' tests: 400s)
    "inbox:inbox-live": Route("staff", [*INBOX_PARAMS, "since", "sig"]),
    "inbox:case": Route("staff", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "inbox:case-live": Route("staff", ["marker"], path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "inbox:inbox-events": Route("staff"),
    "inbox:case-events": Route("staff", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "inbox:case-action": Route("staff", path={"number": SAMPLE_CASE, "action": "reply"}, fuzz_path=("number",)),
    "inbox:attachment": Route("staff", path={"pk": "1"}),
    "inbox:contact": Route("staff", path={"pk": "1"}),
    "inbox:contact-merge": Route("staff", ["q", "source"], path={"pk": "1"}),
    "inbox:contacts": Route("staff", ["q", "page"]),
    "inbox:contact-edit": Route("staff", path={"pk": "1"}),
    "inbox:contact-identity-add": Route("staff", path={"pk": "1"}),
    "inbox:contact-identity-remove": Route("staff", path={"pk": "1", "identity_id": "1"}),
    "inbox:contact-note-add": Route("staff", path={"pk": "1"}),
    "inbox:contact-merge-undo": Route("staff", path={"pk": "1", "merge_id": "1"}),
    "inbox:saved-view-create": Route("staff", ["name", "query"]),
    "inbox:saved-view-delete": Route("staff", path={"pk": "1"}),
    "inbox:bulk": Route("staff", [*INBOX_PARAMS, "action", "cases", "assignee", "team", "status", "priority", "tag",
                                  "survivor"]),
    **{name: Route("staff", ["mode", "audience", "send_to", "text", "send_as"], path={"number": SAMPLE_CASE},
                   fuzz_path=("number",))
       for name in ("inbox:case-reply", "inbox:case-note", "inbox:case-reply-preview", "inbox:case-reply-destination")},
    "inbox:case-presence": Route("staff", ["tab", "state"], path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "inbox:case-presence-leave": Route("staff", ["tab"], path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "inbox:team": Route("staff", ["agency"]),
    "inbox:team-away": Route("staff", ["away", "away_until"], path={"pk": "1"}),
    "inbox:team-handover": Route("staff", ["agency", "to"], path={"pk": "1"}),
    "inbox:team-member-add": Route("staff", ["member"], path={"pk": "1"}),
    "inbox:team-member-remove": Route("staff", ["member"], path={"pk": "1"}),
    "inbox:team-transfer-approval": Route("staff", ["required"], path={"pk": "1"}),
    "inbox:team-assignment": Route("staff", ["mode", "capacity", "return_when_away", "own_1"], path={"pk": "1"}),
    "inbox:my-away": Route("staff", ["away", "next"]),
    "inbox:transfers": Route("staff", ["agency", "page"]),
    "inbox:transfer-decide": Route("staff", ["decision", "reason", "next"], path={"pk": "1"}),
    "inbox:staff": Route("staff", ["q", "page"]),
    "inbox:staff-create": Route("staff"),
    "inbox:staff-member": Route("staff", path={"pk": "1"}),
    "inbox:staff-password-link": Route("staff", path={"pk": "1"}),
    "inbox:staff-active": Route("staff", ["active"], path={"pk": "1"}),
    "inbox:channels": Route("staff", ["agency", "number", "account_sid", "auth_token", "token_variable",
                                      "display_name"]),
    "inbox:channel-active": Route("staff", ["active"], path={"pk": "1"}),
    "inbox:calendars": Route("staff"),
    "inbox:calendar-hours": Route("staff", [f"day{n}" for n in range(7)], path={"agency_pk": "1"}),
    "inbox:calendar-closure": Route("staff", ["name", "first_day", "last_day"], path={"agency_pk": "1"}),
    "inbox:calendar-closure-remove": Route("staff", path={"agency_pk": "1", "pk": "1"}),
    "inbox:calendar-ical": Route("staff", ["url", "file"], path={"agency_pk": "1"}),
    "inbox:manage": Route("staff"),
    "inbox:sla-policies": Route("staff"),
    "inbox:sla-policy-new": Route("staff", ["name", "service", "priority", "channel", "first_response",
                                            "next_response", "resolution", "hours", "pause_statuses", "warn_percent",
                                            "warn_minutes_before"], path={"agency_pk": "1"}),
    "inbox:sla-policy": Route("staff", ["name", "first_response", "hours"], path={"agency_pk": "1", "pk": "1"}),
    "inbox:sla-policy-delete": Route("staff", path={"agency_pk": "1", "pk": "1"}),
    "inbox:channel-x-connect": Route("staff", ["agency", "user_id", "handle", "consumer_secret", "access_token",
                                              "access_token_secret", "confirm"]),
    "inbox:channel-x-contract": Route("staff", ["confirm"], path={"pk": "1"}),
    "inbox:hide-comment": Route("staff", path={"number": SAMPLE_CASE, "pk": "1"}, fuzz_path=("number",)),
    "inbox:consent": Route("staff", ["agency"]),
    "inbox:consent-export": Route("staff", ["agency"]),
    "inbox:consent-help": Route("staff", ["text_en", "text_es"], path={"slug": "works"}),
    "inbox:stop-request-decide": Route("staff", path={"number": SAMPLE_CASE, "pk": "1", "decision": "dismiss"},
                                       fuzz_path=("number",)),
    "inbox:log-call": Route("staff", ["service", "direction", "number", "duration", "outcome", "notes"]),
    "inbox:case-log-call": Route("staff", ["direction", "number", "duration", "outcome", "notes"],
                                 path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "chatdesk:chats": Route("staff"),
    "chatdesk:availability": Route("staff", ["available"]),
    "chatdesk:live": Route("staff", ["c", "q"]),
    "chatdesk:events": Route("staff"),
    "chatdesk:queue": Route("staff"),
    "chatdesk:panels": Route("staff"),
    "chatdesk:nav": Route("staff", ["shown"]),
    **{name: Route("staff", ["id", "text", "reason"], path={"key": "00000000-0000-4000-8000-000000000000"})
       for name in ("chatdesk:accept", "chatdesk:message", "chatdesk:end", "chatdesk:block")},
    "mail:outbox": Route("staff", ["case", "page"]),
    "mail:captured-email": Route("staff", path={"pk": "1"}),
    "notifications:list": Route("staff", ["page"]),
    "notifications:bell": Route("staff", ["shown"]),
    "notifications:settings": Route("staff"),
    "notifications:read-all": Route("staff", ["page"]),
    "notifications:open": Route("staff", path={"pk": "1"}),
    "notifications:read": Route("staff", path={"pk": "1"}),
    "api:openapi-json": Route("public"),
    "api:openapi-view": Route("public"),
    "api:api-root": Route("public"),
    "api:list_cases": Route("token", [*INBOX_PARAMS]),
    **{f"api:{name}": Route("token", ["from", "to", "group_by", "hours", "format", *INBOX_PARAMS])
       for name in ("get_metrics", "get_metrics_csv", "get_metrics_xlsx")},
    "api:get_case": Route("token", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "api:list_contacts": Route("token", ["q", "page"]),
    "api:get_contact": Route("token", path={"contact_id": "1"}, fuzz_path=("contact_id",)),
    "api:update_contact": Route("token", path={"contact_id": "1"}, fuzz_path=("contact_id",)),
    "api:add_identity": Route("token", path={"contact_id": "1"}, fuzz_path=("contact_id",)),
    "api:list_tags": Route("token"),
    "api:list_services": Route("token", ["agency", "active"]),
    "api:get_service": Route("token", path={"code": "pothole"}, fuzz_path=("code",)),
    "api:add_tag": Route("token", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "api:remove_tag": Route("token", path={"number": SAMPLE_CASE, "tag": "lane-blocked"}, fuzz_path=("number", "tag")),
    "api:link_cases": Route("token", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "api:merge_case": Route("token", path={"number": SAMPLE_CASE}, fuzz_path=("number",)),
    "api:remove_identity": Route("token", path={"contact_id": "1", "identity_id": "1"},
                                 fuzz_path=("contact_id", "identity_id")),
    **{f"api:{name}": Route("token", path={"number": SAMPLE_CASE}, fuzz_path=("number",))
       for name in ("post_reply", "post_note", "post_assign", "post_transfer", "post_status", "post_priority")},
    "scorecard:city": Route("public"),
    "scorecard:city-file": Route("public", path={"fmt": "json"}),
    "scorecard:agency": Route("public", path={"slug": "public-works"}, fuzz_path=("slug",)),
    "scorecard:agency-file": Route("public", path={"slug": "public-works", "fmt": "csv"}, fuzz_path=("slug",)),
    "scorecard:service": Route("public", path={"slug": "public-works", "code": "pothole"}, fuzz_path=("slug", "code")),
    "scorecard:service-file": Route("public", path={"slug": "public-works", "code": "pothole", "fmt": "json"},
                                    fuzz_path=("slug", "code")),
    "opendata:index": Route("public"),
    "opendata:schema": Route("public"),
    "opendata:latest": Route("public", path={"fmt": "csv"}),
    "opendata:of_day": Route("public", path={"day": "2026-12-06", "fmt": "geojson"}, fuzz_path=("day",)),
    "open311:discovery": Route("public", ["jurisdiction_id"], path={"fmt": "json"}, fuzz_path=("fmt",)),
    "open311:services": Route("public", ["jurisdiction_id"], path={"fmt": "xml"}),
    "open311:service": Route("public", ["jurisdiction_id"], path={"code": "pothole", "fmt": "json"},
                             fuzz_path=("code",)),
    "open311:requests": Route("public", OPEN311_REQUESTS, path={"fmt": "json"}),
    "open311:request": Route("public", ["jurisdiction_id", "extensions"], path={"number": SAMPLE_CASE,
                                                                                "fmt": "xml"}, fuzz_path=("number",)),
    "open311:token": Route("public", ["jurisdiction_id"], path={"token": "abc", "fmt": "json"}, fuzz_path=("token",)),
    "open311:updates": Route("public", ["start_date", "end_date", "jurisdiction_id", "api_key"], path={"fmt": "xml"}),
    "open311:": Route("public", path={"path": "v2/nothing.json"}, fuzz_path=("path",)),
    "open311:forward": Route("staff", path={"case_number": SAMPLE_CASE}, fuzz_path=("case_number",)),
    "set_language": Route("public", ["next", "language"]),  # the header's language switcher (POST; GET redirects)
    "javascript-catalog": Route("public"),  # the map scripts' Spanish strings
    "portal:home": Route("public"),
    "chat:panel": Route("public", ["new"]),  # the chat widget's panel, or its page without JavaScript
    "chat:start": Route("public"),  # POST only; its forms are tested in chat/tests/test_views.py
    "chat:messages": Route("public"),
    "chat:end": Route("public"),
    "chat:poll": Route("public", ["after"]),
    "chat:events": Route("public", ["after"]),
    "portal:service_list": Route("public", ["q"]),
    "portal:service_request": Route("public", path={"code": "pothole"}),
    "portal:agency_list": Route("public"),
    "portal:confirmation": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "portal:status_lookup": Route("public"),
    "portal:status_detail": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "portal:status_comment": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "portal:status_not_fixed": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "portal:request_page": Route("public", path={"public_id": SAMPLE_PUBLIC_ID}, fuzz_path=("public_id",)),
    "portal:request_photo": Route("public", path={"public_id": SAMPLE_PUBLIC_ID, "photo_id": "1"},
                                  fuzz_path=("public_id",)),
    "portal:status_photo": Route("public", path={"public_id": SAMPLE_PUBLIC_ID, "photo_id": "1"},
                                 fuzz_path=("public_id",)),
    "portal:unsubscribe": Route("public", path={"token": "not-a-signed-token"}, fuzz_path=("token",)),
    "crisis:incident": Route("public", path={"slug": "no-such-incident"}),
    "crisis:incident-areas": Route("public", path={"slug": "no-such-incident"}),
    "crisis:subscribe": Route("public"),
    "crisis:subscribe-sent": Route("public", ["by"]),
    **{f"crisis:{name}": Route("public", path={"token": "not-a-token"}, fuzz_path=("token",))
       for name in ("confirm", "unsubscribe", "unsubscribe-one-click")},
    "crisis:staff-incidents": Route("staff"),
    "crisis:staff-declare": Route("staff"),
    **{f"crisis:{name}": Route("staff", path={"slug": "no-such-incident"})
       for name in ("staff-incident", "staff-update", "staff-end", "staff-broadcast-new")},
    "crisis:staff-broadcast": Route("staff", path={"pk": "1"}),
    **{f"listening:{name}": Route("staff", ["window", "category", "urgent", "lang", "area", "flagged", "page",
                                            "incident"])
       for name in ("triage", "live", "map-data")},
    "listening:streams": Route("staff"),
    "listening:stream-new": Route("staff"),  # its form's bad input: listening/tests/test_stream_form.py
    **{f"listening:{name}": Route("staff", path={"pk": "1"})
       for name in ("stream", "alert", "alert-acknowledge", "alert-dismiss", "alert-declare", "alert-merge",
                    "post-case", "post-misinformation", "post-group")},
    "satisfaction:survey": Route("public", ["score"], path={"token": "not-a-token"}, fuzz_path=("token",)),
    "satisfaction:fix_check": Route("public", ["fixed"], path={"token": "not-a-token"}, fuzz_path=("token",)),
    "satisfaction:stop": Route("public", path={"token": "not-a-token"}, fuzz_path=("token",)),
}
SKIPPED_NAMESPACES = ("admin:",)  # Django's own admin: covered by its own tests, not by this table


def url_patterns() -> dict[str, str]:
    """Every named route of the URL resolver, as {name: the route's pattern text}."""
    found: dict[str, str] = {}

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern),
                     namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
            elif isinstance(pattern, URLPattern):
                found[namespace + (pattern.name or "")] = prefix + str(pattern.pattern)

    walk(get_resolver().url_patterns, "", "")
    return {name: text for name, text in found.items() if not name.startswith(SKIPPED_NAMESPACES)}


def build_path(pattern: str, values: dict[str, str]) -> str:
    """The pattern with each <converter:name> / (?P<name>...) replaced by its (URL-quoted) value."""
    import re

    text = pattern.replace("^", "").replace("$", "").replace("\\.", ".")

    def part(match: re.Match[str]) -> str:
        return urllib.parse.quote(values[match["name"]], safe="")

    text = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", part, text)
    text = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", part, text)
    return "/" + text


def test_the_table_names_every_route_of_the_url_resolver():
    assert set(url_patterns()) == set(ROUTES), "add the new route and the parameters its view reads to ROUTES"


@pytest.fixture
def callers(world: World, mapped_cases: Any) -> dict[str, Client]:
    staff = Client()
    staff.force_login(world.works_agent)
    token = create_token(world.works_agent, name="fuzz").raw
    return {"public": Client(), "staff": staff, "token": Client(headers={"Authorization": f"Bearer {token}"}),
            "case_number": mapped_cases[1].number,  # a case of the signed-in agent's agency
            "public_id": mapped_cases[1].public_id}


def server_errors(client: Client, path: str, query: dict[str, str]) -> list[str]:
    try:
        response = client.get(path, query)
    except Exception as exc:  # noqa: BLE001 (the test client re-raises the view's exception: that is the finding)
        return [f"{path} {query!r:.120}: {type(exc).__name__}: {str(exc)[:120]}"]
    if response.status_code >= 500:
        return [f"{path} {query!r:.120}: HTTP {response.status_code}"]
    return []


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_values_in_every_parameter_of_a_route_never_give_a_500(callers, name):
    route, pattern = ROUTES[name], url_patterns()[name]
    client = callers[route.who]
    real = {SAMPLE_CASE: callers["case_number"], SAMPLE_PUBLIC_ID: callers["public_id"]}
    sample = {k: real.get(v, v) for k, v in route.path.items()}  # type: ignore
    base = build_path(pattern, sample)
    failures = server_errors(client, base, {})
    for value in HOSTILE:
        for param in route.params:
            failures += server_errors(client, base, {param: value})
        for part in route.fuzz_path:
            failures += server_errors(client, build_path(pattern, {**sample, part: value}), {})
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:30])


def test_deeply_nested_or_huge_json_to_the_area_lookup_is_a_400(callers, wards):
    client = callers["public"]
    for body in ("[" * 100_000 + "]" * 100_000, '{"points": ' + "[" * 50_000 + "]" * 50_000 + "}",
                 '{"points": [{"lat": ' + "9" * 400 + ', "lon": 1}]}', '{"points": [], "generation": 1e999}',
                 '{"points": [], "generation": ' + "9" * 30 + "}", '{"points": [{"lat": NaN, "lon": Infinity}]}'):
        response = client.post("/api/areas/lookup", body, content_type="application/json")
        assert response.status_code < 500, body[:60]
        if response.status_code == 400:
            assert response.json()["error"]
    deep = client.post("/api/areas/lookup", "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert deep.status_code == 400 and "nest" in deep.json()["error"]


@pytest.mark.parametrize("path", ["/gis/cases.geojson", "/staff/map/cases.geojson", "/staff/map/hotspots.geojson"])
@pytest.mark.parametrize("bbox", ["nan,40,-74,41", "-75,40,inf,41", "-1e308,-1e308,1e308,1e308", "-181,40,-74,41",
                                  "-75,-91,-74,41"])
def test_a_bbox_that_is_not_finite_or_off_the_globe_is_a_clear_400(callers, path, bbox):
    client = callers["public" if path.startswith("/gis/") else "staff"]
    response = client.get(path, {"bbox": bbox})
    assert response.status_code == 400 and "bbox" in response.json()["error"]


def test_the_public_map_page_reports_a_bad_bbox_instead_of_failing(callers):
    response = callers["public"].get("/map/", {"bbox": "nan,nan,nan,nan"})
    assert response.status_code == 200 and "bbox" in response.content.decode()


@pytest.mark.parametrize("param", ["page", "team", "assignee"])
@pytest.mark.parametrize("value", [str(2**63), str(2**64), "9" * 30])
def test_api_integers_past_64_bits_are_a_422_not_a_500(callers, param, value):
    response = callers["token"].get("/api/cases", {param: value})
    assert response.status_code == 422, response.content[:200]
    assert param in str(response.json()["detail"])
