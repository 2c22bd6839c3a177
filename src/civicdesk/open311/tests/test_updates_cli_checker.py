"""FixMyStreet's servicerequestupdates, the `open311` command, and the checker run against our live server."""

import io
import json

import pytest
from django.core.management import call_command

from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.conversations import replies
from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.open311 import keys
from civicdesk.open311.checker import Checker
from civicdesk.open311.models import ApiKey
from civicdesk.open311.tests.conftest import POTHOLE


@pytest.mark.django_db
def test_fms_post_update_threads_dedupes_and_validates(client, post, api_key, city):
    number = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    form = {"api_key": api_key, "service_request_id": number, "update_id": "77", "status": "OPEN",
            "updated_datetime": "2024-05-01T10:00:00+01:00", "description": "Still there", "first_name": "-",
            "last_name": "-", "email": "fms-user@example.com"}
    response = client.post("/open311/v2/servicerequestupdates.xml", form)
    assert response.status_code == 200, response.content
    assert b"<service_request_updates><request_update><update_id>m" in response.content
    again = client.post("/open311/v2/servicerequestupdates.xml", form)
    assert again.content == response.content  # same update_id: the same update
    case = Case.objects.get(public_id=number)
    assert list(case.messages.filter(direction=Direction.INBOUND).values_list("body_text", flat=True)) == [
        "A deep pothole in the right lane.", "Still there"]
    bad = client.post("/open311/v2/servicerequestupdates.xml", {**form, "status": "MAYBE", "update_id": ""})
    assert bad.status_code == 400 and b"status" in bad.content and b"update_id" in bad.content
    missing = client.post("/open311/v2/servicerequestupdates.xml", {**form, "service_request_id": "CD-1999-000001"})
    assert missing.status_code == 404
    assert client.post("/open311/v2/servicerequestupdates.xml", {**form, "api_key": ""}).status_code == 403


@pytest.mark.django_db
def test_fms_get_updates_lists_public_replies_and_status_changes(client, post, city):
    number = json.loads(post("json", **POTHOLE).content)[0]["service_request_id"]
    case = Case.objects.get(public_id=number)
    replies.reply(case, author=None, text="Scheduled.", public=True)
    case_actions.add_note(case, author=None, text="private")
    case_actions.change_status(case, actor=None, status=CaseStatus.CLOSED)
    response = client.get("/open311/v2/servicerequestupdates.json", {"api_key": ""})
    updates = json.loads(response.content)
    assert [(u["status"], u["description"]) for u in updates] == [("open", "Scheduled."), ("closed", "")]
    assert len({u["update_id"] for u in updates}) == 2
    assert json.loads(client.get("/open311/v2/servicerequestupdates.json", {
        "start_date": "2001-01-01T00:00:00Z", "end_date": "2001-01-02T00:00:00Z"}).content) == []


@pytest.mark.django_db
def test_key_command_creates_lists_and_revokes():
    out = io.StringIO()
    call_command("open311", "key", "create", "Pothole App", "--rate-limit", "30", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip()
    assert raw.startswith("o311_") and keys.authenticate(raw).app_name == "Pothole App"
    assert ApiKey.objects.get().key_hash != raw and ApiKey.objects.get().rate_limit == 30
    listing = io.StringIO()
    call_command("open311", "key", "list", stdout=listing)
    assert "Pothole App" in listing.getvalue() and raw not in listing.getvalue()
    call_command("open311", "key", "revoke", "Pothole App", stdout=io.StringIO())
    with pytest.raises(Exception, match="revoked"):
        keys.authenticate(raw)


@pytest.mark.django_db(transaction=True)
def test_checker_passes_against_our_live_server(live_server):
    seed_services(seed_agencies())
    raw = keys.create_key("checker").raw
    results = list(Checker(f"{live_server.url}/open311/v2/", api_key=raw).run())
    failed = [r for r in results if not r.ok]
    assert not failed, failed
    assert len(results) >= 10


@pytest.mark.django_db(transaction=True)
def test_checker_command_reports_failures(live_server, capsys):
    seed_services(seed_agencies())
    with pytest.raises(SystemExit) as caught:
        call_command("open311_check", f"{live_server.url}/nothing-here/")
    assert caught.value.code == 1
    assert "FAIL r1 discovery" in capsys.readouterr().out
    assert not Message.objects.exists()
