"""The client reads real servers' responses, quirks included (captures from the shared reference data)."""

import pytest

from civicdesk.open311.client import GeoReportClient, Open311ClientError, RawResponse, as_list, normalize, parse_xml
from civicdesk.open311.tests.conftest import needs_shared_responses, real_response

pytestmark = needs_shared_responses


def xml(name):
    return real_response(name)


def decode(name, status=200, fmt="xml"):
    body = xml(name)
    if body.startswith(b"HTTP/"):
        body = body.split(b"\n\n", 1)[1]
    return GeoReportClient("http://x/", fmt=fmt).decode(RawResponse(status, "", body))


def test_sf_services_with_soap_namespaces():
    services = decode("services.xml")
    assert len(services) > 10 and services[0]["service_code"] == "001" and services[0]["metadata"] is False


def test_giessen_is_array_attribute_and_german_text():
    services = decode("giessen_services.xml")
    assert [s["service_code"] for s in services][:2] == ["015", "010"]
    assert "Straßen- und Gehwegschäden" in {s["service_name"] for s in services}
    assert services[0]["keywords"] is None  # <keywords/>


def test_toronto_long_before_lat_and_empty_updated_datetime():
    items = decode("toronto_requests_many.xml")
    assert len(items) == 2 and items[0]["lat"] == pytest.approx(43.691104288)
    assert items[0]["updated_datetime"] is None and items[0]["service_request_id"] == "101005420892"
    assert len(decode("toronto_requests_single.xml")) == 1  # a single <request> is still a list


def test_chicago_json_string_ids_and_missing_fields():
    items = decode("chicago_service_requests.json", fmt="json")
    assert items[0]["service_request_id"] == "14-01100669" and "status_notes" not in items[0]
    assert items[1]["status_notes"] == "Locked"


def test_old_definition_without_attributes_wrapper():
    definition = decode("service_definition.xml")
    [attribute] = definition["attributes"]
    assert attribute["required"] is True and [v["key"] for v in attribute["values"]] == ["123", "124"]


def test_post_answer_token_answer_and_empty_list():
    [post] = decode("post_service_request.xml")
    assert post["service_request_id"] == "293944" and post["service_notice"].startswith("The City will inspect")
    assert decode("request_id_from_token.xml") == [{"service_request_id": "638344", "token": "12345"}]
    assert decode("service_requests_empty.xml") == []
    assert len(decode("service_requests.xml")) == 2 and len(as_list(decode("get_service_request.xml"))) == 1


def test_error_bodies_spec_and_bare():
    with pytest.raises(Open311ClientError) as caught:
        decode("get_service_request_not_found.xml", status=404)
    assert caught.value.status == 404 and "not found" in str(caught.value) and not caught.value.transient
    with pytest.raises(Open311ClientError) as caught:
        decode("403.xml", status=403)
    assert "Invalid api_key" in str(caught.value)
    with pytest.raises(Open311ClientError) as caught:
        GeoReportClient("http://x/").decode(RawResponse(502, "", b"<html>Bad gateway"))
    assert caught.value.transient


def test_normalize_numbers_and_string_booleans():
    assert normalize([{"service_code": 1, "metadata": "true", "lat": "1.5", "status": "OPEN"}]) == [
        {"service_code": "1", "metadata": True, "lat": 1.5, "status": "open"}]
    name, data = parse_xml(b"<service_requests_updates><request_update><update_id>1</update_id></request_update>"
                           b"</service_requests_updates>")
    assert data == [{"update_id": "1"}]  # FixMyStreet's own root typo still reads


def test_spec_service_list_with_string_codes_in_json():
    services = decode("spec_service_list_stringcodes.json", fmt="json")
    assert [s["service_code"] for s in services] == ["001", "002", "003"]  # leading zeros kept
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    assert services[1]["service_name"] == "Construction plate shifted"  # key order differs per item
