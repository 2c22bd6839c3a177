"""Transfers out of an agency that requires approval: an agent's becomes a request a supervisor approves or rejects."""

import json

import pytest

from civicdesk.api.actions import create_token
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import transfers
from civicdesk.cases.models import Case, CaseTransfer, TransferRequest, TransferRequestStatus
from civicdesk.testing.factories import create_case

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    world.works.transfer_approval_required = True
    world.works.save()
    return create_case(service=world.pothole, subject="Fallen branch on the road", email="ann@example.com")


def transfer(client, case, agency, reason="It is a tree, not the road."):
    return client.post(f"/staff/cases/{case.number}/transfer/", {"to_agency": agency.pk, "reason": reason})


def decide(client, request, decision, **data):
    return client.post(f"/staff/transfers/{request.pk}/", {"decision": decision, **data})


def test_an_agents_transfer_becomes_a_pending_request_and_the_case_stays(works_client, world, case):
    response = transfer(works_client, case, world.parks)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.agency == world.works and not CaseTransfer.objects.exists()
    request = TransferRequest.objects.get()
    assert (request.status, request.requested_by, request.to_agency) == ("pending", world.works_agent, world.parks)
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Transfer awaiting approval" in page and "Withdraw the request" in page
    assert "Approve the transfer" not in page  # an agent does not decide
    assert "asked to transfer this case to Parks and Recreation." in page  # the timeline, in plain words
    assert client_for(world.parks_agent).get(f"/staff/cases/{case.number}/").status_code == 404  # not theirs yet


def test_the_transfer_form_says_it_asks_for_approval(works_client, world, case):
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "Ask to transfer to another agency" in page and "Ask for approval" in page


def test_a_second_request_while_one_is_pending_is_refused(works_client, world, case):
    transfer(works_client, case, world.parks)
    response = transfer(works_client, case, world.parks, reason="again")
    assert response.status_code == 400 and "already awaiting approval" in response.content.decode()
    assert TransferRequest.objects.count() == 1


def test_a_supervisor_approves_and_the_trail_names_who_asked_and_who_approved(works_client, world, case):
    transfer(works_client, case, world.parks)
    request = TransferRequest.objects.get()
    supervisor = client_for(world.supervisor)
    page = supervisor.get("/staff/transfers/").content.decode()
    assert case.number in page and "It is a tree, not the road." in page
    response = decide(supervisor, request, "approve", back="case")
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/"
    case.refresh_from_db()
    request.refresh_from_db()
    row = CaseTransfer.objects.get()
    assert case.agency == world.parks and case.assignee is None
    assert (row.by, row.reason, request.transfer) == (world.works_agent, "It is a tree, not the road.", row)
    assert (request.status, request.decided_by) == (TransferRequestStatus.APPROVED, world.supervisor)
    assert list(case.audit.filter(action__startswith="transfer").values_list("action", "actor")) == [
        (AuditAction.TRANSFER_REQUESTED, world.works_agent.pk), (AuditAction.TRANSFER_APPROVED, world.supervisor.pk),
        (AuditAction.TRANSFERRED, world.supervisor.pk)]
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()  # the trail: read only now
    assert "approved by sup" in page and "approved the transfer to Parks and Recreation." in page
    assert "No transfers are awaiting your approval." in supervisor.get("/staff/transfers/").content.decode()


def test_a_supervisor_rejects_with_a_reason_and_the_case_stays(works_client, world, case):
    transfer(works_client, case, world.parks)
    request = TransferRequest.objects.get()
    supervisor = client_for(world.supervisor)
    decide(supervisor, request, "reject", reason="")
    request.refresh_from_db()
    assert request.status == "pending"  # no reason, no rejection
    assert decide(supervisor, request, "reject", reason="Road crews clear branches.").status_code == 302
    request.refresh_from_db()
    case.refresh_from_db()
    assert (request.status, request.decision_reason) == ("rejected", "Road crews clear branches.")
    assert case.agency == world.works and not CaseTransfer.objects.exists()
    entry = case.audit.get(action=AuditAction.TRANSFER_REJECTED)
    assert entry.actor == world.supervisor and entry.reason == "Road crews clear branches."
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    assert "rejected the transfer to Parks and Recreation: the case stays with Public Works." in page
    assert decide(supervisor, request, "approve").status_code == 302  # already decided: nothing happens
    case.refresh_from_db()
    assert case.agency == world.works


def test_an_agent_cannot_approve_or_reject_but_withdraws_their_own_request(works_client, world, case):
    transfer(works_client, case, world.parks)
    request = TransferRequest.objects.get()
    colleague = client_for(world.works_agent2)
    assert decide(colleague, request, "approve").status_code == 403
    assert decide(works_client, request, "approve").status_code == 403
    assert decide(colleague, request, "withdraw").status_code == 403
    assert client_for(world.works_agent2).get("/staff/transfers/").status_code == 403
    assert decide(works_client, request, "withdraw").status_code == 302
    request.refresh_from_db()
    assert request.status == TransferRequestStatus.WITHDRAWN
    assert AuditEntry.objects.filter(case=case, action=AuditAction.TRANSFER_WITHDRAWN).count() == 1


def test_another_agencys_supervisor_sees_nothing_of_the_request(world, case):
    request = transfers.request_transfer(case, actor=world.works_agent, to_agency=world.parks, reason="Tree")
    outsider = client_for(world.parks_agent)
    assert decide(outsider, request, "approve").status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"


def test_supervisors_and_admins_transfer_directly_and_a_pending_request_is_withdrawn(works_client, world, case):
    transfer(works_client, case, world.parks)
    assert transfer(client_for(world.supervisor), case, world.parks, reason="Parks, yes.").status_code == 302
    case.refresh_from_db()
    assert case.agency == world.parks and CaseTransfer.objects.get().by == world.supervisor
    assert TransferRequest.objects.get().status == TransferRequestStatus.WITHDRAWN


def test_with_approval_off_an_agent_transfers_directly_as_before(works_client, world, case):
    world.works.transfer_approval_required = False
    world.works.save()
    assert transfer(works_client, case, world.parks).status_code == 302
    case.refresh_from_db()
    assert case.agency == world.parks and not TransferRequest.objects.exists()


def test_the_api_makes_the_same_request_and_answers_202(world, case, client):
    token = create_token(world.works_agent, name="test").raw
    response = client.post(f"/api/cases/{case.number}/transfer", json.dumps({"agency": "parks", "reason": "Tree"}),
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 202 and "awaits approval" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).agency == world.works and TransferRequest.objects.count() == 1


def test_approving_a_case_that_moved_meanwhile_is_refused(world, case):
    request = transfers.request_transfer(case, actor=world.works_agent, to_agency=world.parks, reason="Tree")
    case.agency = world.parks  # moved by other means (the admin)
    case.save()
    with pytest.raises(ValueError, match="no longer with Public Works"):
        transfers.approve_transfer(request, actor=world.supervisor)
