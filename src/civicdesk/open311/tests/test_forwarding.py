"""Forwarding to another endpoint (our own server, live on loopback), pulling updates back, failures and backoff."""

import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions as case_actions
from civicdesk.cases.models import Case, CaseStatus, Direction, Message
from civicdesk.channels.models import Channel
from civicdesk.conversations import replies
from civicdesk.demo.actions import seed_agencies, seed_services
from civicdesk.open311 import forwarding, keys
from civicdesk.open311.models import ExternalEndpoint, ForwardedCase, ForwardState, ServiceMapping
from civicdesk.open311.tasks import pull_external_updates
from civicdesk.testing.factories import create_case, create_staff


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def world(transactional_db, live_server):
    services = {s.code: s for s in seed_services(seed_agencies())}
    raw = keys.create_key("neighbour-city").raw
    endpoints = {}
    for fmt, updates in (("xml", False), ("json", True)):
        endpoint = ExternalEndpoint.objects.create(name=f"Loopback {fmt}", url=f"{live_server.url}/open311/v2/",
                                                   api_key=raw, format=fmt, supports_updates=updates,
                                                   share_contact_details=True)
        for code in ("pothole", "snow-removal"):
            ServiceMapping.objects.create(endpoint=endpoint, service=services[code], remote_service_code=code)
        endpoints[fmt] = endpoint
    return {"services": services, "endpoints": endpoints, "agent": create_staff("agent.fwd")}


def original(world, code="pothole", **attributes):
    return create_case(channel=Channel.WEB, service=world["services"][code], email="resident@example.com",
                       lat=40.0, lon=-75.1, attributes=attributes or {"size": "wider_than_a_car"})


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_forward_then_pull_status_and_public_reply(world, fmt):
    case = original(world)
    endpoint = world["endpoints"][fmt]
    forward = forwarding.forward_case(case, endpoint, world["agent"])
    forward.refresh_from_db()
    assert forward.state == ForwardState.SENT, forward.last_error
    remote = Case.objects.get(public_id=forward.remote_id)
    assert remote.source_app == "neighbour-city" and remote.attributes == {"size": "wider_than_a_car"}
    assert remote.contact.email == "resident@example.com"

    replies.reply(remote, author=None, text="Crew sent; fixed by Friday.", public=True)
    case_actions.change_status(remote, actor=None, status=CaseStatus.CLOSED)
    assert pull_external_updates.call() >= 1
    forward.refresh_from_db()
    assert forward.remote_status == "closed" and forward.state == ForwardState.CLOSED
    inbound = Message.objects.filter(case=case, channel=Channel.OPEN311, direction=Direction.INBOUND)
    assert [m.body_text for m in inbound] == ["Crew sent; fixed by Friday."] and inbound[0].is_public
    assert AuditEntry.objects.filter(case=case, action=AuditAction.FIELD_CHANGED,
                                     after__remote_status="closed").exists()
    assert Message.objects.filter(case=case, direction=Direction.OUTBOUND, is_automatic=True,
                                  body_text__contains="has an update").exists()  # the resident is told
    assert forwarding.pull_all() == 0  # nothing new: nothing applied twice


def test_forward_batch_service_follows_the_token(world):
    case = original(world, "snow-removal", surface="bus_stop")
    forward = forwarding.forward_case(case, world["endpoints"]["xml"], world["agent"])
    forward.refresh_from_db()
    assert forward.state == ForwardState.SENT and forward.remote_token
    assert Case.objects.get(public_id=forward.remote_id).service.code == "snow-removal"


def test_unreachable_endpoint_retries_with_backoff_and_shows_on_the_case(world):
    endpoint = world["endpoints"]["xml"]
    ExternalEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{free_port()}/open311/v2/")
    endpoint.refresh_from_db()
    case = original(world)
    forward = forwarding.forward_case(case, endpoint, world["agent"])
    forward.refresh_from_db()
    assert forward.state == ForwardState.RETRYING and forward.attempts == 1
    first_wait = forward.next_attempt_at - timezone.now()
    entry = AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED)
    assert "next attempt" in entry.reason
    ForwardedCase.objects.filter(pk=forward.pk).update(next_attempt_at=timezone.now())
    forwarding.pull_all()
    forward.refresh_from_db()
    assert forward.attempts == 2 and forward.next_attempt_at - timezone.now() > first_wait  # backoff grows
    ForwardedCase.objects.filter(pk=forward.pk).update(attempts=forwarding.max_attempts() - 1,
                                                       next_attempt_at=timezone.now())
    forwarding.pull_all()
    forward.refresh_from_db()
    assert forward.state == ForwardState.FAILED
    assert AuditEntry.objects.filter(case=case, action=AuditAction.DELIVERY_FAILED).count() == 3


def test_refusal_fails_at_once(world):
    endpoint = world["endpoints"]["json"]
    ExternalEndpoint.objects.filter(pk=endpoint.pk).update(api_key="o311_wrong")
    endpoint.refresh_from_db()
    case = original(world)
    forward = forwarding.forward_case(case, endpoint, world["agent"])
    forward.refresh_from_db()
    assert forward.state == ForwardState.FAILED and "api_key" in forward.last_error
    assert "api_key" in AuditEntry.objects.get(case=case, action=AuditAction.DELIVERY_FAILED).reason


def test_forward_needs_a_mapping_and_only_once(world):
    case = original(world, "graffiti", surface="wall")
    with pytest.raises(ValueError, match="no service mapped"):
        forwarding.forward_case(case, world["endpoints"]["xml"], world["agent"])
    case = original(world)
    forwarding.forward_case(case, world["endpoints"]["xml"], world["agent"])
    with pytest.raises(ValueError, match="already forwarded"):
        forwarding.forward_case(case, world["endpoints"]["xml"], world["agent"])


def test_staff_view_forwards_with_csrf(world, client):
    from django.test import Client

    case = original(world)
    agent = create_staff("agent.view", agencies=[case.agency])
    outsider = create_staff("agent.other")
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agent)
    url = f"/open311/forward/{case.number}/"
    assert csrf_client.post(url, {"endpoint": world["endpoints"]["xml"].pk}).status_code == 403  # no CSRF token
    client.force_login(outsider)  # another agency's case is not even there for them
    assert client.post(url, {"endpoint": world["endpoints"]["xml"].pk}).status_code == 404
    client.force_login(agent)
    assert client.get(url).status_code == 405
    assert client.post("/open311/forward/CD-2026%00-1/", {"endpoint": 1}).status_code == 404  # NUL: no 500
    assert client.post(url, {"endpoint": "not-a-number"}).status_code == 302  # "choose the jurisdiction"
    assert not ForwardedCase.objects.filter(case=case).exists()
    response = client.post(url, {"endpoint": world["endpoints"]["xml"].pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/"
    assert ForwardedCase.objects.get(case=case).state == ForwardState.SENT


def test_forward_form_fragment_renders(world, rf):
    from django.template import Context, Template

    case = original(world)
    request = rf.get("/staff/cases/x/")
    html = Template("{% load open311_tags %}{% open311_forward_form case %}").render(
        Context({"case": case, "request": request, "csrf_token": "t"}))
    assert 'action="/open311/forward/' in html and "Loopback xml" in html and 'for="open311-endpoint"' in html



def test_a_forward_whose_worker_died_mid_attempt_is_posted_once_when_its_lease_runs_out(world):
    case = original(world)
    endpoint = world["endpoints"]["json"]
    lease = timezone.now() + timedelta(minutes=5)
    forward = ForwardedCase.objects.create(case=case, endpoint=endpoint, forwarded_by=world["agent"], attempts=1,
                                           next_attempt_at=lease, created_at=timezone.now())  # a killed worker's
    cases = Case.objects.count()
    forwarding.pull_all()
    forwarding.send_forward(forward.pk)  # a second job for it: the live lease keeps it from posting twice
    forward.refresh_from_db()
    assert (forward.state, forward.attempts, Case.objects.count()) == (ForwardState.PENDING, 1, cases)
    ForwardedCase.objects.filter(pk=forward.pk).update(next_attempt_at=timezone.now())
    forwarding.pull_all()
    forwarding.pull_all()
    forward.refresh_from_db()
    assert (forward.state, forward.attempts, Case.objects.count()) == (ForwardState.SENT, 2, cases + 1)
    assert Case.objects.filter(public_id=forward.remote_id).count() == 1
