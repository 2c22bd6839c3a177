"""The conformance checker: the checklist at the end of spec.md, run over HTTP against any GeoReport v2 endpoint."""

import contextlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from civicdesk.open311.client import GeoReportClient, RawResponse, as_list, parse_xml

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
ID_FIELDS = ("service_request_id", "service_code", "address_id", "zipcode", "token")


@dataclass
class Result:
    rule: str
    ok: bool
    detail: str = ""
    skipped: bool = False  # could not run here (no --api-key, nothing to look at): not a failure

    @property
    def verdict(self) -> str:
        return "SKIP" if self.skipped else "PASS" if self.ok else "FAIL"


class Failed(Exception):
    pass


def expect(condition: Any, detail: str) -> None:
    if not condition:
        raise Failed(detail)


class Checker:
    def __init__(self, url: str, *, jurisdiction: str = "", api_key: str = "") -> None:
        self.client = GeoReportClient(url, jurisdiction_id=jurisdiction, api_key=api_key, timeout=30)
        self.jurisdiction, self.api_key = jurisdiction, api_key
        self.services: list[dict[str, Any]] = []
        self.sample_id = ""

    # --- helpers ---------------------------------------------------------------------------------------------------
    def get(self, resource: str, fmt: str, params: dict[str, Any] | None = None) -> RawResponse:
        return self.client.raw("GET", self.client.url(resource, params, fmt=fmt))

    def ok_xml(self, response: RawResponse, root: str) -> Any:
        expect(response.status == 200, f"HTTP {response.status}: {response.body[:200]!r}")
        expect(response.content_type.replace(" ", "").lower() == "text/xml;charset=utf-8",
               f"Content-Type is '{response.content_type}', not 'text/xml; charset=utf-8'")
        expect(response.body.lstrip().lower().startswith(b"<?xml"), "no XML declaration")
        name, data = parse_xml(response.body)
        expect(name == root, f"root element <{name}>, expected <{root}>")
        return data

    def ok_json(self, response: RawResponse) -> Any:
        expect(response.status == 200, f"HTTP {response.status}: {response.body[:200]!r}")
        expect(response.content_type.replace(" ", "").lower() == "application/json;charset=utf-8",
               f"Content-Type is '{response.content_type}'")
        return json.loads(response.body)

    def error_body(self, response: RawResponse, status: int, fmt: str) -> None:
        expect(response.status == status, f"HTTP {response.status}, expected {status}")
        if fmt == "json":
            data = json.loads(response.body)
            expect(isinstance(data, list) and data and all("code" in e and "description" in e for e in data),
                   f"JSON error body is not an array of {{code, description}}: {response.body[:200]!r}")
        else:
            name, data = parse_xml(response.body)
            expect(name == "errors" and data and all(e.get("description") for e in data),
                   f"XML error body is not <errors><error>…: {response.body[:200]!r}")

    def jurisdiction_field(self) -> list[tuple[str, str]]:
        return [("jurisdiction_id", self.jurisdiction)] if self.jurisdiction else []

    def post(self, fmt: str, form: list[tuple[str, str]]) -> RawResponse:
        form = [*form, *self.jurisdiction_field()]
        return self.client.raw("POST", self.client.url("requests", {"jurisdiction_id": None}, fmt=fmt), form=form)

    # --- rules (numbers follow spec.md §9) ----------------------------------------------------------------------
    def r1_discovery(self) -> None:
        data = self.ok_xml(self.get("discovery", "xml"), "discovery")
        for name in ("changeset", "contact", "key_service", "endpoints"):
            expect(name in data, f"discovery.xml has no <{name}>")
        expect(isinstance(self.ok_json(self.get("discovery", "json")).get("endpoints"), list),
               "discovery.json endpoints is not an array")

    def r1_services(self) -> None:
        response = self.get("services", "xml")
        with contextlib.suppress(Exception):  # read leniently first, so later rules can run even if this one fails
            self.services = [s for s in as_list(parse_xml(response.body)[1]) if isinstance(s, dict)]
        self.services = as_list(self.ok_xml(response, "services"))
        expect(self.services, "services.xml lists no service")
        for service in self.services:
            expect(service.get("service_code"), "a service without service_code")
            expect(service.get("metadata") in ("true", "false"), f"metadata '{service.get('metadata')}'")
            expect(service.get("type") in ("realtime", "batch", "blackbox"), f"type '{service.get('type')}'")
        items = self.ok_json(self.get("services", "json"))
        expect(isinstance(items, list), "services.json is not an array")
        for item in items:
            expect(isinstance(item.get("service_code"), str), "service_code is not a JSON string")
            expect(isinstance(item.get("metadata"), bool), "metadata is not a JSON boolean")

    def r1_unknown_format(self) -> None:
        response = self.get("services", "csv")
        expect(response.status == 404, f"services.csv gave HTTP {response.status}, expected 404")

    def r2_errors(self) -> None:
        for fmt in ("xml", "json"):
            self.error_body(self.get("services/no-such-service-x9", fmt), 404, fmt)
            self.error_body(self.get("requests/NO-SUCH-REQUEST-x9", fmt), 404, fmt)
            self.error_body(self.post(fmt, [("service_code", self.first_code())]), 403, fmt)

    def r3_jurisdiction(self) -> None:
        response = self.client.raw("GET", self.client.url("services", {"jurisdiction_id": self.jurisdiction},
                                                          fmt="xml"))
        expect(response.status == 200, f"jurisdiction_id='{self.jurisdiction}' gave HTTP {response.status}")
        unknown = self.client.raw("GET", self.client.url("services", {"jurisdiction_id": "no-such.example"}))
        expect(unknown.status in (200, 404), f"unknown jurisdiction_id gave HTTP {unknown.status}")
        if unknown.status == 404:
            self.error_body(unknown, 404, "xml")

    def r4_datetimes(self) -> None:
        for value in ("2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", "2020-01-01T00:00:00.123456-05:00",
                      "2020-01-01T00:00:00 00:00", "2020-01-01T00:00:00"):
            response = self.get("requests", "xml", {"start_date": value, "end_date": "2020-01-02T00:00:00Z"})
            expect(response.status == 200, f"start_date={value!r} gave HTTP {response.status}")
        items = as_list(self.ok_xml(self.get("requests", "xml"), "service_requests"))
        for item in items[:200]:
            for name in ("requested_datetime", "updated_datetime"):
                expect(item.get(name) is None or W3C.match(item[name]), f"{name} '{item.get(name)}' is not W3C")
        if items:
            self.sample_id = items[0]["service_request_id"]

    def r5_requests(self) -> None:
        empty = self.get("requests", "xml", {"start_date": "1990-01-01T00:00:00Z", "end_date": "1990-01-02T00:00:00Z"})
        expect(as_list(self.ok_xml(empty, "service_requests")) == [], "an empty window is not <service_requests/>")
        expect(self.ok_json(self.get("requests", "json", {"start_date": "1990-01-01T00:00:00Z",
                                                          "end_date": "1990-01-02T00:00:00Z"})) == [],
               "an empty window is not []")
        expect(self.ok_xml(self.get("requests", "xml", {"status": "open,closed", "service_code": "a,b"}),
                           "service_requests") is not None, "comma lists refused")
        items = self.ok_json(self.get("requests", "json"))
        expect(len(items) <= 1000, f"{len(items)} results, more than 1000")
        if self.sample_id:
            found = self.ok_json(self.get("requests", "json", {"service_request_id": self.sample_id,
                                                               "start_date": "1990-01-01T00:00:00Z",
                                                               "end_date": "1990-01-02T00:00:00Z"}))
            expect([i.get("service_request_id") for i in found] == [self.sample_id],
                   "service_request_id does not override the other filters")

    def r6_post(self) -> None:
        if not self.api_key:
            raise Failed("skipped: no --api-key given")
        service = next((s for s in self.services if s.get("metadata") == "false"), None) or self.services[0]
        code = service["service_code"]
        self.error_body(self.post("xml", [("api_key", self.api_key), ("service_code", code)]), 400, "xml")
        self.error_body(self.post("xml", [("api_key", self.api_key), ("service_code", code), ("lat", "40"),
                                          ("long", "-75"), ("description", "x" * 4001)]), 400, "xml")
        form = [("api_key", self.api_key), ("service_code", code), ("lat", "40.0"), ("long", "-75.0"),
                ("description", "Open311 conformance check")]
        definition = self.client.service_definition(code) if service.get("metadata") == "true" else {}
        for attribute in definition.get("attributes", []):
            if attribute.get("variable") and attribute.get("required"):
                values = as_list(attribute.get("values"))
                form.append((f"attribute[{attribute['code']}]", str(values[0]["key"]) if values else "1"))
        data = as_list(self.ok_xml(self.post("xml", form), "service_requests"))
        expect(len(data) == 1, f"POST answered {len(data)} items")
        expect(bool(data[0].get("service_request_id")) != bool(data[0].get("token")),
               "POST must return exactly one of service_request_id and token")
        if data[0].get("token"):
            response = self.get(f"tokens/{data[0]['token']}", "xml")
            expect(as_list(self.ok_xml(response, "service_requests")), "token lookup is empty")

    def r6_attributes(self) -> None:
        """Required attributes are enforced and list answers must be among the keys (nothing is created)."""
        if not self.api_key:
            raise Failed("skipped: no --api-key given")
        checked = 0
        for service in [s for s in self.services if s.get("metadata") == "true"][:10]:
            attributes = [a for a in self.client.service_definition(service["service_code"]).get("attributes", [])
                          if a.get("variable")]
            base = [("api_key", self.api_key), ("service_code", service["service_code"]), ("lat", "40.0"),
                    ("long", "-75.0"), ("description", "Open311 conformance check (must be refused)")]
            answers = [(f"attribute[{a['code']}]", str(as_list(a.get("values"))[0]["key"]) if a.get("values")
                        else "1") for a in attributes if a.get("required")]
            for attribute in attributes:
                name = f"attribute[{attribute['code']}]"
                if attribute.get("required"):
                    response = self.post("xml", base + [f for f in answers if f[0] != name])
                    self.error_body(response, 400, "xml")
                    expect(attribute["code"] in response.body.decode("utf-8", "replace"),
                           f"the error for a missing {name} does not name it")
                    checked += 1
                if attribute.get("datatype") in ("singlevaluelist", "multivaluelist"):
                    form = [f for f in answers if f[0] != name] + [(name, "no-such-key-x9")]
                    self.error_body(self.post("xml", base + form), 400, "xml")
                    checked += 1
            if checked:
                return
        raise Failed("skipped: no service with a required or list attribute")

    def r7_single(self) -> None:
        if not self.sample_id:
            raise Failed("skipped: no request in the last 90 days to look up")
        data = as_list(self.ok_xml(self.get(f"requests/{self.sample_id}", "xml"), "service_requests"))
        expect(len(data) == 1, "GET one request is not one <request> in <service_requests>")
        items = self.ok_json(self.get(f"requests/{self.sample_id}", "json"))
        expect(isinstance(items, list) and len(items) == 1, "GET one request in JSON is not a one-item array")

    def r8_types(self) -> None:
        items = self.ok_json(self.get("requests", "json"))
        for item in items[:200]:
            for name in ID_FIELDS:
                expect(item.get(name) is None or isinstance(item[name], str), f"{name} is not a JSON string")

    def r9_updates(self) -> None:
        response = self.get("servicerequestupdates", "xml", {"api_key": ""})
        if response.status == 404:
            raise Failed("skipped: servicerequestupdates.xml not offered")
        for update in as_list(self.ok_xml(response, "service_request_updates")):
            expect(update.get("update_id") and update.get("status") == (update.get("status") or "").lower(),
                   "update without update_id or with upper-case status")
        url = self.client.url("servicerequestupdates", {"jurisdiction_id": None}, fmt="xml")
        refused = self.client.raw("POST", url, form=[("service_request_id", "x9"), *self.jurisdiction_field()])
        self.error_body(refused, 403, "xml")  # POST servicerequestupdates needs an api_key too

    def first_code(self) -> str:
        return self.services[0]["service_code"] if self.services else "x"

    def rules(self) -> list[tuple[str, Callable[[], None]]]:
        return [(name.replace("_", " ", 1), getattr(self, name)) for name in sorted(dir(self))
                if re.match(r"^r\d_", name)]

    def run(self) -> Iterator[Result]:
        for name, rule in self.rules():
            try:
                rule()
            except Failed as exc:
                skipped = str(exc).startswith("skipped")
                yield Result(name, skipped, str(exc), skipped=skipped)
            except Exception as exc:  # a crash in one rule is a failure of that rule, the others still run
                yield Result(name, False, f"{type(exc).__name__}: {exc}")
            else:
                yield Result(name, True)
