"""Role x agency x endpoint matrix: every staff and API route, walked from the URL resolver, holds agency scoping."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from civicdesk.agencies.models import Agency, StaffRole, Team
from civicdesk.calendars.actions import add_closure, calendar_of
from civicdesk.calendars.models import Closure
from civicdesk.cases.models import Attachment, Case, Message, TransferRequest
from civicdesk.channels.events import InboundAttachment
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.chat import actions as chat_actions
from civicdesk.chat.models import ChatSession
from civicdesk.contacts.merges import merge_contacts
from civicdesk.contacts.models import Contact, ContactMerge, Identity
from civicdesk.conversations.models import StopRequest
from civicdesk.crisis import actions as crisis_actions
from civicdesk.crisis.models import Broadcast, Incident
from civicdesk.gis.models import Area, Initiative
from civicdesk.gis.tests.conftest import _fresh_index, wards  # noqa: F401  (fixtures)
from civicdesk.inbox.case_views import ACTIONS
from civicdesk.inbox.models import SavedView
from civicdesk.listening.models import Alert, Category, Post, Stream
from civicdesk.mail.models import CapturedEmail
from civicdesk.notifications.models import Notification, NotificationKind
from civicdesk.open311.models import ExternalEndpoint
from civicdesk.slas.models import SlaPolicy
from civicdesk.testing.factories import create_case, create_staff

from . import matrix
from .conftest import World

pytestmark = pytest.mark.django_db

# Routes any signed-in staff member may open: they must answer, but show only the user's own agencies' data.
ANY_STAFF = {
    "inbox:login": "the sign-in page",
    "inbox:logout": "signs the user out; touches only their own session",
    "inbox:inbox": "the user's own case list, scoped by visible_cases",
    "inbox:inbox-live": "the live poll of that list",
    "inbox:inbox-events": "the pushed events of that list: numbers of cases the user may see (204 under WSGI)",
    "inbox:saved-view-create": "saves the user's own inbox filters under a name; no agency data",
    "inbox:log-call": "the log-a-call form offers only the services of the user's own agencies; another agency's "
                      "service is refused (400) and nothing is written (test_log_call covers it)",
    "inbox:saved-view-delete": "deletes one of the user's own saved views; anyone else's is 404",
    "inbox:bulk": "one action on the cases named in the form, each checked against the user's scope (another "
                  "agency's case is refused as unseen and left alone: test_bulk covers it)",
    "gis:staff-map": "the map page: filters and agency names; cases come from the scoped layers",
    "gis:staff-cases": "case points of the cases the user may see",
    "gis:hotspots": "hotspot cells over the cases the user may see",
    "gis:initiatives": "the city-wide initiatives and those of the user's own agencies",
    "gis:initiative-create": "the new-initiative form offers only the user's own agencies and their services; "
                             "agents are refused (403)",
    "api:list_cases": "the API's case list, scoped like the inbox",
    "inbox:contacts": "the contact directory: contacts of cases the user may see",
    "api:list_contacts": "the API's contact search, scoped like the contact directory",
    "api:list_tags": "the tags on cases the user may see",
    "api:get_metrics": "figures of the user's agencies' cases only (administrators: all); no parameters is a 422",
    "api:get_metrics_csv": "the same figures as CSV",
    "api:get_metrics_xlsx": "the same figures as XLSX",
    "api:list_services": "the service catalogue: every active service, inactive ones of the user's agencies",
    "api:get_service": "one service of that catalogue (an inactive one of another agency is 404)",
    "api:api-root": "the API's root",
    "api:openapi-json": "the API's schema (no data)",
    "api:openapi-view": "the API's docs page (no data)",
    "api-areas": "the public area lookup (boundaries, no case data)",
    "api-areas-lookup": "the public area lookup (boundaries, no case data)",
    "mail:outbox": "captured email about the cases the user may see (supervisors, administrators; agents: 403)",
    "inbox:team": "the staff of the agencies the user supervises, with their open load (agents: 403)",
    "inbox:transfers": "transfer requests out of the agencies the user supervises (agents: 403)",
    "inbox:staff": "the staff list of administrators (everyone else: 403)",
    "inbox:channels": "the channel accounts (our numbers) of the agencies the user supervises, and connecting one to "
                      "them only (agents: 403)",
    "inbox:staff-create": "creating a staff account, for administrators (everyone else: 403, nothing written)",
    "notifications:list": "the user's own notifications, about cases they may still see",
    "notifications:bell": "the user's own unread count (and their desk presence, untracked bookkeeping)",
    "notifications:settings": "the user's own notification settings; no agency data",
    "notifications:read-all": "marks the user's own notifications read",
    "notifications:open": "one of the user's own notifications, to its case; anyone else's is 404",
    "notifications:read": "marks one of the user's own notifications read; anyone else's is 404",
    "chatdesk:chats": "the chats page: the queue of the user's own agencies and the user's own chats",
    "chatdesk:availability": "the user's own switch for taking chats; no agency data",
    "chatdesk:live": "the chats page's check: events of the user's own chats, the queue of their agencies",
    "chatdesk:events": "the pushed events of the same (204 under WSGI)",
    "chatdesk:queue": "the queue of the user's own agencies",
    "chatdesk:panels": "the user's own chats",
    "chatdesk:nav": "the count of waiting chats of the user's own agencies (and their desk's check-in)",
    "inbox:manage": "links to the supervisors' pages; no agency data (agents: 403)",
    "inbox:my-away": "marks the user themself away or back; no agency data",
    "inbox:consent": "the opt-out record and help texts of the agencies the user supervises (agents: 403)",
    "inbox:consent-export": "that record as CSV, of the agencies the user supervises (agents: 403; another "
                            "agency's ?agency= is 404)",
    "inbox:calendars": "the business calendars of the agencies the user supervises (agents: 403)",
    "inbox:sla-policies": "the SLA policies of the agencies the user supervises (agents: 403)",
    "crisis:staff-incidents": "the incidents of the user's agencies (titles and dates, public on the portal anyway)",
    "crisis:staff-declare": "declares an incident for one of the user's own agencies (agents: 403)",
    "inbox:channel-x-connect": "connecting an X account to an agency the user supervises (agents: 403)",
    "dashboards:live": "the live queue of the user's own agencies (the inbox's scope and filters); agents' loads "
                       "only for supervisors, of the agencies they supervise",
    "dashboards:live-panel": "the polled panel of that page, the same figures",
    "dashboards:trends": "trends and missed targets of the agencies the user supervises (administrators: every "
                         "agency; agents: 403); dashboards/tests/test_dashboards.py checks another agency sees none",
    "listening:triage": "the triage view: posts, alerts and volume of the user's agencies' streams only",
    "listening:live": "the triage view's polled fragment (volume and alerts), scoped the same way",
    "listening:map-data": "the placed posts of the user's agencies' streams, as GeoJSON",
    "listening:streams": "the listening streams of the agencies the user supervises (administrators: every stream; "
                         "agents: 403)",
    "listening:stream-new": "makes a listening stream for one of the agencies the user supervises (agents: 403; "
                            "another agency in the form is an invalid choice)",
}
# Routes for supervisors and administrators only: an agent of the owning agency is refused too.
SUPERVISORS_ONLY = {
    "mail:captured-email": "one captured email of the built-in outbox",
    "gis:initiative-edit": "an initiative's form: its agency's supervisors change it, agents look",
    "inbox:team-away": "marks a staff member of the agency away or back",
    "inbox:team-handover": "hands a staff member's open cases of the agency to another",
    "inbox:team-member-add": "puts a staff member of the agency on one of its teams",
    "inbox:team-member-remove": "takes a staff member off one of the agency's teams",
    "inbox:team-transfer-approval": "whether the agency's transfers out need a supervisor's approval",
    "inbox:team-assignment": "a team's assignment rule, capacity and its members' own capacities",
    "inbox:transfer-decide": "approves or rejects a transfer out of the agency (the agent who asked: only withdraws)",
    "inbox:channel-active": "disables or enables one of the agency's channel accounts (a Twilio number)",
    "inbox:consent-help": "sets what HELP and AYUDA answer on the agency's numbers",
    "inbox:channel-x-contract": "confirms the X Enterprise contract of one of the agency's accounts",
    "inbox:calendar-hours": "sets the agency's weekly business hours",
    "inbox:calendar-closure": "adds a closure (a snow day) to the agency's calendar",
    "inbox:calendar-closure-remove": "removes a closure from the agency's calendar",
    "inbox:calendar-ical": "imports closures from an iCal file or sets the agency's feed",
    "inbox:sla-policy-new": "adds an SLA policy to the agency",
    "inbox:sla-policy": "one of the agency's SLA policies, to change",
    "inbox:sla-policy-delete": "removes one of the agency's SLA policies",
    "crisis:staff-update": "publishes an update on one of the agency's incidents",
    "crisis:staff-end": "ends one of the agency's incidents",
    "crisis:staff-broadcast-new": "broadcasts on one of the agency's incidents",
    "listening:alert-declare": "declares an incident from one of the agency's listening alerts",
    "listening:stream": "one of the agency's listening streams, to change",
}
# Routes for administrators only: a staff account's role, agencies, teams, password link and deactivation.
ADMINS_ONLY = {"inbox:staff-member", "inbox:staff-password-link", "inbox:staff-active"}
SHOWS_OWN_CASES = ("inbox:inbox", "gis:staff-cases", "api:list_cases")  # positive controls for the leak check

PARAM_KINDS = {"number": "case", "case_number": "case", "survivor": "case2", "merge_id": "merge",
               "contact_id": "contact", "identity_id": "identity", "tag": "tag",
               "code": "service_code", "key": "chat", "decision": "decision", "slug": "agency_slug",
               "agency_pk": "agency"}
PK_KINDS = {"inbox:attachment": "attachment", "inbox:contact": "contact", "inbox:contact-merge": "contact",
            "inbox:contact-merge-undo": "contact", "gis:initiative": "initiative", "gis:initiative-edit": "initiative",
            "mail:captured-email": "captured",
            "inbox:saved-view-delete": "saved_view", "inbox:contact-edit": "contact",
            "inbox:contact-identity-add": "contact", "inbox:contact-identity-remove": "contact",
            "inbox:contact-note-add": "contact",
            "inbox:team-away": "agent2", "inbox:team-handover": "agent",
            "inbox:team-member-add": "team", "inbox:team-member-remove": "team", "inbox:team-assignment": "team",
            "inbox:team-transfer-approval": "agency", "inbox:transfer-decide": "transfer_request",
            "inbox:calendar-closure-remove": "closure",
            "inbox:sla-policy": "sla_policy", "inbox:sla-policy-delete": "sla_policy",
            "crisis:staff-broadcast": "broadcast",
            **dict.fromkeys(("listening:alert", "listening:alert-acknowledge", "listening:alert-dismiss",
                             "listening:alert-declare", "listening:alert-merge"), "listening_alert"),
            "listening:post-case": "listening_post", "listening:post-misinformation": "listening_post",
            "listening:post-group": "listening_post", "listening:stream": "listening_stream",
            "inbox:channel-x-contract": "channel_account", "inbox:hide-comment": "message",
            "inbox:staff-member": "agent2", "inbox:staff-password-link": "agent2", "inbox:staff-active": "agent2",
            "notifications:open": "notification", "notifications:read": "notification",
            "inbox:channel-active": "channel_account", "inbox:stop-request-decide": "stop_request"}
# Routes whose form or body needs fields of its own (a contact's type and an identity's kind share the name "kind").
ROUTE_DATA = {"inbox:contact-edit": {"display_name": "Matrix probe", "kind": "resident", "language": ""},
              "inbox:case-log-call": {"direction": "in", "number": "+12155550134", "outcome": "answered"},
              "inbox:contact-identity-add": {"kind": "email", "value": "matrix-probe@example.com"},
              "api:update_contact": {"name": "Matrix probe", "kind": "resident"},
              "api:get_contact": {"name": "Matrix probe", "kind": "resident"},  # the same path as update_contact
              "api:add_identity": {"kind": "email", "value": "matrix-probe@example.com"},
              "inbox:channel-active": {"active": "off"},
              "inbox:calendar-hours": {"day0": "08:00-17:00"},
              "inbox:team-assignment": {"mode": "round_robin", "capacity": "5"},
              "inbox:calendar-closure": {"name": "Matrix probe", "first_day": "2027-01-04"},
              "inbox:calendar-ical": {"url": "https://example.com/closures.ics"},
              "crisis:staff-broadcast-new": {"text_en": "Probe", "text_es": "Prueba", "sms_en": "Probe",
                                             "sms_es": "Prueba"},  # no "send": the estimate only
              "listening:alert-declare": {"title_en": "Probe", "title_es": "Prueba", "summary_en": "Probe",
                                          "summary_es": "Prueba", "whole_city": "on"},
              "listening:stream": {"name": "Matrix probe", "source": "rss", "source_url": "https://example.com/rss",
                                   "sensitivity": "1", "retention_days": "30", "active": "on"},
              **dict.fromkeys(("inbox:sla-policy-new", "inbox:sla-policy"), {
                  "name": "Matrix probe", "first_response": "4", "hours": "business", "is_active": "on"})}
# A parameter whose name means another kind of object on these routes (crisis mode's `slug` is an incident's).
ROUTE_PARAM_KINDS = {f"crisis:{name}": {"slug": "incident_slug"}
                     for name in ("staff-incident", "staff-update", "staff-end", "staff-broadcast-new")}
SHARED_KINDS = {"tag", "decision"}  # not owned by an agency: the same object on both sides
# Routes whose form names no other object: the prober's supervisor writing their own agency's is their right.
OWN_WRITES_TAKE_NO_REFERENCE = {"inbox:consent-help", "inbox:calendar-hours", "inbox:calendar-closure",
                                "inbox:calendar-ical", "inbox:sla-policy-new", "crisis:staff-update",
                                "crisis:staff-end", "crisis:staff-broadcast-new", "listening:alert-acknowledge",
                                "listening:post-case", "listening:post-misinformation"}
REFUSED = {403, 404, 405}
HIDDEN = {404, 405}  # an object of another agency is not there at all: 403 would confirm that it exists


@dataclass
class Side:
    """One agency's staff and objects: the targets of the probes, or the prober's own things."""

    agency: Agency
    team: Team
    agent: Any
    agent2: Any
    supervisor: Any
    case: Case
    case2: Case
    contact: Contact
    contact2: Contact
    identity: Identity
    attachment: Attachment
    merge: ContactMerge
    initiative: Initiative
    captured: CapturedEmail
    saved_view: SavedView
    transfer_request: TransferRequest
    notification: Notification
    chat: ChatSession  # ended and blocked: accept, write, end and block change nothing even for its own staff
    channel_account: ChannelAccount
    markers: tuple[str, ...]
    closure: Closure
    message: Message
    stop_request: StopRequest
    sla_policy: SlaPolicy
    broadcast: Broadcast
    listening_alert: Alert
    listening_post: Post
    listening_stream: Stream
    agency_slug: str = ""
    incident_slug: str = ""
    decision: str = "dismiss"  # what staff decide on a flagged request to stop texts (the same word on both sides)
    service_code: str = ""
    tag: str = "matrix-probe"  # tags are names shared by every agency

    def kind(self, kind: str) -> Any:
        value = getattr(self, kind)
        if isinstance(value, str):
            return value
        if isinstance(value, ChatSession):
            return str(value.key)
        return value.number if isinstance(value, Case) else value.pk


def _side(agency: Agency, team: Team, agent: Any, service: Any, word: str) -> Side:
    photo = InboundAttachment("photo.png", "image/png", b"\x89PNG\r\n\x1a\n" + word.encode())
    case = create_case(service=service, subject=f"{word} broken", email=f"{word}@example.com",
                       contact_name=f"{word} Resident", lat=40.001, lon=-74.99, attachments=[photo])
    case2 = create_case(service=service, subject=f"{word} again", email=f"{word}2@example.com",
                        contact_name=f"{word} Neighbour", lat=40.002, lon=-74.99)
    third = create_case(service=service, subject=f"{word} third", email=f"{word}3@example.com")
    merge = merge_contacts(third.contact, case.contact, actor=agent)
    initiative = Initiative.objects.create(name=f"{word} blitz", agency=agency, area=Area.objects.first(),
                                           start="2026-01-01")
    initiative.services.set([service])
    chat, _token = chat_actions.start_session(agency=agency, text=f"{word} chat", client_id=f"matrix-{word}",
                                              name=f"{word} Chatter")
    chat_actions.block_session(chat, agent, reason="Matrix probe")
    number = f"+1215555{sum(map(ord, word)) % 10000:04d}"
    account = ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO, agency=agency,
                                            address=number, display_name=f"{word} line")
    closure = add_closure(calendar_of(agency=agency), name=f"{word} snow day", first_day=date(2027, 1, 5), actor=None)
    incident = crisis_actions.declare(title_en=f"{word} flood", title_es=f"{word} inundación", summary_en="Probe",
                                      summary_es="Prueba", agency=agency, actor=agent)
    broadcast = crisis_actions.start_broadcast(incident, text_en="Probe", text_es="Prueba", sms_en="Probe",
                                               sms_es="Prueba", actor=agent)
    stream = Stream.objects.create(name=f"{word} listening", agency=agency)
    now = timezone.now()
    post = Post.objects.create(stream=stream, platform="bluesky", post_id=f"{word}-post", created_at=now,
                               ingested_at=now, text=f"{word} water main burst", relevance=0.9,
                               category=Category.INFRASTRUCTURE, fingerprint=sum(map(ord, word)), lat=40.001,
                               lon=-74.99, place=f"{word} Street")
    alert = Alert.objects.create(stream=stream, raised_at=now, window_start=now, posts=30, rate_per_min=10,
                                 baseline_per_min=0.5, terms=[f"{word}surge"], samples=[f"bluesky:{word}-post"])
    Alert.objects.create(stream=stream, raised_at=now, window_start=now, posts=20, rate_per_min=8,  # merged into
                         baseline_per_min=0.5, terms=[f"{word}surge"], samples=[f"bluesky:{word}-post"])
    return Side(agency=agency, team=team, agent=agent, agent2=create_staff(f"{word}-two", agencies=[agency]),
                supervisor=create_staff(f"{word}-sup", role=StaffRole.SUPERVISOR, agencies=[agency]),
                case=case, case2=case2, contact=case.contact, contact2=case2.contact,
                identity=Identity.objects.filter(contact=case.contact).order_by("pk").first(),
                attachment=Attachment.objects.get(message__case=case), merge=merge, initiative=initiative,
                captured=CapturedEmail.objects.create(captured_at=timezone.now(), subject=f"{word} broken",
                                                      recipients=f"{word}@example.com", raw=f"{word} broken",
                                                      text=f"{word} Resident", case=case),
                saved_view=SavedView.objects.create(user=agent, name=f"{word} view", query=f"q={word}"),
                transfer_request=TransferRequest.objects.create(
                    case=case2, from_agency=agency, to_agency=Agency.objects.exclude(pk=agency.pk).first(),
                    reason=f"{word} belongs elsewhere", requested_by=agent, requested_at=timezone.now()),
                notification=Notification.objects.create(  # already read: "mark all read" writes nothing
                    recipient=agent, kind=NotificationKind.ASSIGNED, case=case, key=f"matrix:{word}",
                    created_at=timezone.now(), read_at=timezone.now()),
                chat=chat, channel_account=account, closure=closure,
                message=Message.objects.filter(case=case).order_by("pk").first(), agency_slug=agency.slug,
                stop_request=StopRequest.objects.create(
                    case=case, message=case.messages.filter(direction="in").first(), phrase="stop texting me",
                    due_on="2026-12-21", created_at=timezone.now()),
                sla_policy=SlaPolicy.objects.create(agency=agency, name=f"{word} targets", first_response_seconds=3600,
                                                    created_at=timezone.now(), updated_at=timezone.now()),
                broadcast=broadcast, incident_slug=incident.slug, listening_alert=alert, listening_post=post,
                listening_stream=stream,
                markers=(f"{word} water main burst", f"{word}surge", f"{word} listening",
                         case.number, case2.number, third.number, f"{word} Resident", f"{word} Neighbour",
                         f"{word} Chatter", chat.case.number, f"{word} broken", f"{word}@example.com",
                         f"{word} blitz", number, f"{word} line"), service_code=service.code)


@pytest.fixture
def sides(world: World, wards) -> tuple[Side, Side]:  # noqa: F811  (the gis fixture)
    """(target, prober): Public Works' objects, and Parks' staff and objects."""
    Initiative.objects.create(name="City-wide blitz", area=Area.objects.first(), start="2026-01-01")
    works = _side(world.works, world.works_team, world.works_agent, world.pothole, "Zanzibar")
    parks = _side(world.parks, world.parks_team, world.parks_agent, world.tree, "Quokka")
    ExternalEndpoint.objects.create(name="Neighbour city", url="https://neighbour.example/open311/v2/")
    return works, parks


def _path_values(route: matrix.Route, side: Side) -> dict[str, Any]:
    values = {}
    for param in route.params:
        if param == "action":
            continue
        kind = PK_KINDS.get(route.name) if param == "pk" else ROUTE_PARAM_KINDS.get(route.name, {}).get(
            param, PARAM_KINDS.get(param))
        if kind is None:
            raise AssertionError(f"{route.route}: the matrix test does not know the path parameter {param!r}; "
                                 f"map it to an agency-owned object in PARAM_KINDS or PK_KINDS.")
        values[param] = side.kind(kind)
    return values


def paths(route: matrix.Route, target: Side, prober: Side | None = None) -> list[str]:
    """The route filled with the target's objects; with a prober, also each mix of target and prober objects."""
    actions = list(ACTIONS) if "action" in route.params else [None]
    fills = [_path_values(route, target)]
    if prober is not None and len(fills[0]) > 1:
        own = _path_values(route, prober)
        for param in fills[0]:
            if PARAM_KINDS.get(param) not in SHARED_KINDS:
                fills.append({**own, param: fills[0][param]})
    return [route.path({**fill, "action": action} if action else fill) for fill in fills for action in actions]


def form_data(target: Side, home: Side) -> dict[str, Any]:
    """Plausible data for every staff form; `number`/`source` name another of the requester's own objects."""
    return {"text": "Matrix probe", "status": "closed", "priority": "urgent", "tags": "matrix-probe",
            "assignee": target.agent2.pk, "team": target.team.pk, "to_agency": home.agency.pk
            if home is not target else Agency.objects.exclude(pk=target.agency.pk).first().pk,
            "reason": "Matrix probe", "number": home.case2.number, "source": home.contact2.pk,
            "endpoint": ExternalEndpoint.objects.get().pk, "lat": "40.003", "lon": "-74.99",
            "address": "1 Probe Street", "marker": "x", "agency": target.agency.pk, "member": target.agent2.pk,
            "decision": "approve",
            # the initiative form (field names prefixed "initiative-"): the target's agency, so only its staff pass
            "initiative-name": "Matrix probe", "initiative-agency": target.agency.pk,
            "initiative-area": Area.objects.first().pk, "initiative-start": "2026-02-01",
            "tab": "matrix-probe-tab", "state": "viewing", "service": "",
            # the listening forms: an active incident of the target's, and its stream's other alert
            "incident": Incident.objects.get(slug=target.incident_slug).pk,
            "into": Alert.objects.filter(stream_id=target.listening_alert.stream_id)
            .exclude(pk=target.listening_alert.pk).values_list("pk", flat=True).first()}


def json_data(target: Side, home: Side) -> dict[str, Any]:
    return {"text": "Matrix probe", "assignee": target.agent2.username, "team": target.team.pk,
            "agency": home.agency.slug if home is not target else "parks", "reason": "Matrix probe",
            "status": "closed", "priority": "urgent", "tag": "matrix-probe", "number": home.case2.number}


HOSTILE_QUERIES = ("", "q={number}", "q=Zanzibar", "agency={agency}", "team={team}", "assignee={agent}",
                   "view=all&status=new", "service=pothole", "page=1&sort=oldest")


def _data(route: matrix.Route, target: Side, home: Side) -> dict[str, Any]:
    data = json_data(target, home) if route.route.startswith("api/") else form_data(target, home)
    return {**data, **ROUTE_DATA.get(route.name, {})}


def _references(route: matrix.Route, target: Side) -> dict[str, Any]:
    """Only references to the target's objects, sent to the prober's own objects."""
    if route.route.startswith("api/"):
        return {"assignee": target.agent.username, "team": target.team.pk, "number": target.case.number}
    return {"number": target.case.number, "source": target.contact.pk, "assignee": target.agent.pk,
            "team": target.team.pk}


def scoped_routes() -> list[matrix.Route]:
    return [route for route in matrix.staff_routes() if route.name not in ANY_STAFF]


def test_the_walk_covers_every_api_operation_and_knows_every_path_parameter(sides):
    routes = matrix.staff_routes()
    walked = {route.route for route in routes}
    assert set(matrix.ninja_methods()) <= walked
    assert {"staff/cases/<str:number>/<slug:action>/", "open311/forward/<str:case_number>/"} <= walked
    target, prober = sides
    for route in routes:
        assert paths(route, target, prober)  # raises on a parameter the matrix does not know
    assert set(ANY_STAFF) <= {route.name for route in routes}, "an allow-listed route is gone: drop it from ANY_STAFF"


def test_another_agencys_agent_or_supervisor_is_refused_on_every_staff_and_api_route_and_nothing_is_written(sides):
    target, prober = sides
    probe = matrix.Prober([prober.agent, prober.supervisor])
    for route in scoped_routes():
        for user in (prober.agent, prober.supervisor):
            for path in paths(route, target, prober):
                for method in route.methods:
                    data = _data(route, target, prober)
                    response = probe.send(user, method, path, data)
                    if response.status_code not in HIDDEN:
                        probe.fail(user, method, path, f"answered {response.status_code}, not 404")
                    probe.no_leak(user, method, path, response, target.markers, urlencode(data))
            # the prober's own object, with references to the target's objects in the data (merge into, assign to)
            for path in paths(route, prober) if len(_path_values(route, prober)) == 1 else []:
                for method in set(route.methods) - {"GET"}:
                    data = _references(route, target)
                    response = probe.send(user, method, path, data, rollback=route.name in OWN_WRITES_TAKE_NO_REFERENCE)
                    if response.status_code >= 500:
                        probe.fail(user, method, path, f"answered {response.status_code}")
    probe.check()


def test_staff_of_the_owning_agency_reach_every_route_of_the_matrix(sides):
    target, prober = sides
    probe = matrix.Prober([target.agent, target.supervisor])
    for route in scoped_routes():
        for user in (target.agent, target.supervisor):
            for path in paths(route, target):
                answered = []
                for method in route.methods:
                    response = probe.send(user, method, path, _data(route, target, target), rollback=method != "GET")
                    if response.status_code != 405:
                        answered.append((method, response.status_code))
                if route.name in ADMINS_ONLY or (route.name in SUPERVISORS_ONLY and user == target.agent):
                    if any(status not in REFUSED for _, status in answered):
                        probe.fail(user, "*", path, f"{user.username} got {answered} on a route above their role")
                elif not answered or any(not 200 <= status < 400 for _, status in answered):
                    probe.fail(user, "*", path, f"own agency got {answered}; the matrix is not aiming at real objects")
    probe.check()


def test_anonymous_visitors_are_sent_to_sign_in_from_every_staff_route_and_nothing_is_written(sides):
    target, prober = sides
    probe = matrix.Prober([])
    for route in matrix.staff_routes():
        for path in paths(route, target):
            for method in route.methods:
                response = probe.send(None, method, path, _data(route, target, prober))
                to_login = response.status_code == 302 and "login" in response["Location"]
                if route.name in ANY_STAFF:
                    if response.status_code >= 500:
                        probe.fail(None, method, path, f"answered {response.status_code}")
                elif not (to_login or response.status_code in REFUSED | {401}):
                    probe.fail(None, method, path, f"answered {response.status_code}, not a sign-in redirect")
                probe.no_leak(None, method, path, response, target.markers)
    probe.check()


def test_routes_open_to_any_staff_show_none_of_another_agencys_cases_or_contacts(sides):
    target, prober = sides
    probe = matrix.Prober([prober.agent, prober.supervisor, target.agent])
    values = {"number": target.case.number, "agency": target.agency.slug, "team": target.team.pk,
              "agent": target.agent.pk}
    for route in matrix.staff_routes():
        if route.name not in ANY_STAFF:
            continue
        for user in (prober.agent, prober.supervisor):
            for path in paths(route, target):
                for query in HOSTILE_QUERIES:
                    url = f"{path}?{query.format(**values)}" if query else path
                    for method in route.methods:
                        response = probe.send(user, method, url, _data(route, target, prober))
                        if response.status_code >= 500:
                            probe.fail(user, method, url, f"answered {response.status_code}")
                        probe.no_leak(user, method, url, response, target.markers)
        if route.name in SHOWS_OWN_CASES:  # the positive control: the leak check would see a leak
            response = probe.send(target.agent, "GET", paths(route, target)[0], {})
            if target.case.number not in response.content.decode():
                probe.fail(target.agent, "GET", route.route, "own agency does not see its own case")
    probe.check()


def test_a_non_admin_agent_or_supervisor_is_kept_out_of_the_django_admin(sides):
    target, prober = sides
    probe = matrix.Prober([prober.agent, prober.supervisor])
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls += [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
                 reverse(f"admin:{meta.app_label}_{meta.model_name}_add")]
    urls.append(reverse("admin:cases_case_change", args=[target.case.pk]))
    for user in (prober.agent, prober.supervisor):
        for url in urls:
            for method in ("GET", "POST"):
                response = probe.send(user, method, url, {"status": "closed", "name": "Matrix probe"})
                if not (response.status_code in (403, 404) or (
                        response.status_code == 302 and "login" in response["Location"])):
                    probe.fail(user, method, url, f"answered {response.status_code}")
    probe.check()


def test_an_administrator_reaches_the_administrators_routes_and_its_writes_stay_inside_them(sides, world):
    target, _ = sides
    probe = matrix.Prober([world.admin])
    for route in matrix.staff_routes():
        if route.name not in ADMINS_ONLY:
            continue
        for path in paths(route, target):
            data = {**_data(route, target, target), "email": "probe@staff.example", "role": "agent",
                    "agencies": target.agency.pk, "teams": target.team.pk}
            for method in route.methods:
                response = probe.send(world.admin, method, path, data, rollback=method != "GET")
                if not 200 <= response.status_code < 400:
                    probe.fail(world.admin, method, path, f"an administrator got {response.status_code}")
    probe.check()
