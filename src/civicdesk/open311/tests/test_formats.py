"""Every response validated: JSON against schemas written from the spec, XML parsed strictly with defusedxml."""

import json

import jsonschema
import pytest
from defusedxml import ElementTree

from civicdesk.cases.models import Case
from civicdesk.conversations import replies
from civicdesk.open311.formats import to_xml
from civicdesk.open311.tests import schemas
from civicdesk.open311.tests.conftest import POTHOLE

pytestmark = pytest.mark.django_db


def strict_xml(response, root):
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ElementTree.fromstring(response.content)  # raises on anything malformed
    assert element.tag == root and not element.attrib
    assert "{" not in "".join(e.tag for e in element.iter())  # no namespaces
    return element


def valid_json(response, schema):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(response.content)
    jsonschema.validate(data, schema)
    return data


def test_every_resource_in_both_formats(client, post, city, django_capture_on_commit_callbacks):
    number = json.loads(post("json", **{**POTHOLE, "description": "Ünïcödé <b>&</b> \x01 text"}).content)[0][
        "service_request_id"]
    replies.reply(Case.objects.get(public_id=number), author=None, text="On it & soon.", public=True)
    with django_capture_on_commit_callbacks(execute=True):
        batch = valid_json(post("json", service_code="snow-removal", address_string="x",
                                **{"attribute[surface]": "street"}), schemas.POST_RESPONSE)
    valid_json(post("json", **{**POTHOLE, "description": "another"}), schemas.POST_RESPONSE)
    valid_json(client.get(f"/open311/v2/tokens/{batch[0]['token']}.json"), schemas.TOKEN_RESPONSE)
    valid_json(client.get("/open311/v2/discovery.json"), schemas.DISCOVERY)
    valid_json(client.get("/open311/v2/services.json"), schemas.SERVICES)
    for code in city["services"]:
        valid_json(client.get(f"/open311/v2/services/{code}.json"), schemas.SERVICE_DEFINITION)
        strict_xml(client.get(f"/open311/v2/services/{code}.xml"), "service_definition")
    items = valid_json(client.get("/open311/v2/requests.json", {"extensions": "true"}), schemas.REQUESTS)
    assert len(items) == 3
    valid_json(client.get(f"/open311/v2/requests/{number}.json"), schemas.REQUESTS)
    valid_json(client.get("/open311/v2/servicerequestupdates.json"), schemas.UPDATES)
    for path, root in [("discovery", "discovery"), ("services", "services"), ("requests", "service_requests"),
                       (f"requests/{number}", "service_requests"),
                       ("servicerequestupdates", "service_request_updates")]:
        strict_xml(client.get(f"/open311/v2/{path}.xml", {"extensions": "true"}), root)
    element = strict_xml(client.get(f"/open311/v2/requests/{number}.xml"), "service_requests")
    assert element.find("request/description").text == "Ünïcödé <b>&</b>  text"  # control char dropped


@pytest.mark.parametrize("path", ["services/nope", "requests/nope", "tokens/nope", "requests"])
def test_errors_in_both_formats(client, city, path):
    method = client.post if path == "requests" else client.get
    for fmt in ("json", "xml"):
        response = method(f"/open311/v2/{path}.{fmt}")
        assert response.status_code in (403, 404)
        if fmt == "json":
            data = valid_json(response, schemas.ERRORS)
            assert data[0]["code"] == response.status_code
        else:
            element = strict_xml(response, "errors")
            assert element.find("error/code").text == str(response.status_code)


def test_unknown_format_and_resource_are_404_error_bodies(client, city):
    assert client.get("/open311/v2/services.html").status_code == 404
    response = client.get("/open311/v2/nothing-here.json")
    assert response.status_code == 404
    valid_json(response, schemas.ERRORS)
    assert client.put("/open311/v2/services.xml").status_code == 400


def test_empty_list_keeps_its_wrapper():
    expected = '<?xml version="1.0" encoding="utf-8"?><service_requests></service_requests>'
    assert to_xml("service_requests", []) == expected
