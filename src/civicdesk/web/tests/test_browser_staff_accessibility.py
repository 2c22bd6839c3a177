"""axe-core WCAG 2.1 A/AA on every staff page at 1280 and 390 px wide (the mobile menu open too), in Chromium.

STAFF_PAGES is the table: one row per page, with who looks at it and what tells that it is ready. To cover a new
staff page, add a row (its URL may depend on the objects of `Things`; add one there when it needs its own). The walk
test checks that every GET route under /staff/ and the staff-only gis and mail pages has a row or a reason in
NOT_PAGES, so a new page without a row fails here.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, expect

from civicdesk.accounts.gate import ENROLLED_KEY
from civicdesk.crisis import actions as crisis_actions
from civicdesk.gis.models import Area, Initiative
from civicdesk.inbox.tests.conftest import World
from civicdesk.inbox.tests.matrix import staff_routes
from civicdesk.listening.models import Stream
from civicdesk.listening.tests.test_triage_view import make_alert, make_post
from civicdesk.mail.models import CapturedEmail
from civicdesk.testing.browser import free_port, launch_chromium
from civicdesk.testing.factories import create_staff
from civicdesk.web.tests.test_browser_accessibility import Audit

WIDTHS = [1280, 390]


@dataclass
class Things:
    """The objects the staff pages are about."""

    world: World
    case: Any
    initiative: Initiative
    captured: CapturedEmail
    reset_path: str
    incident: Any
    broadcast: Any
    alert: Any


@dataclass
class StaffPage:
    """One row of the table: a page, the user who opens it (None: signed out; "unverified": signed in before the
    two-factor code), the HTTP status it answers with, and a CSS selector that shows it is ready for axe."""

    name: str
    url: str | Callable[[Things], str]
    user: str | None = "sup"
    status: int = 200
    ready: str = "main h1"

    def path(self, things: Things) -> str:
        return self.url(things) if callable(self.url) else self.url


STAFF_PAGES = [
    StaffPage("sign-in", "/staff/login/", user=None),
    StaffPage("password reset", "/staff/password/reset/", user=None),
    StaffPage("password reset sent", "/staff/password/reset/sent/", user=None),
    StaffPage("password reset: new password", lambda t: t.reset_path, user=None, ready="main h1"),
    StaffPage("password reset done", "/staff/password/reset/done/", user=None),
    StaffPage("two-factor code", "/staff/otp/", user="unverified"),
    StaffPage("two-factor set-up", "/staff/otp/setup/", user="newcomer"),
    StaffPage("two-factor and recovery codes", "/staff/otp/recovery-codes/"),
    StaffPage("password change", "/staff/password/"),
    StaffPage("no staff profile", "/staff/", user="resident", status=403),
    StaffPage("inbox", "/staff/", ready="#case-list"),
    StaffPage("inbox, unassigned", "/staff/?view=unassigned", ready="#case-list"),
    StaffPage("inbox, past the last page", "/staff/?page=99", ready="main h1"),
    StaffPage("case page", lambda t: reverse("inbox:case", args=[t.case.number]), ready="#case-timeline"),
    StaffPage("case page, as an agent", lambda t: reverse("inbox:case", args=[t.case.number]), user="wanda",
              ready="#case-timeline"),
    StaffPage("contact page", lambda t: reverse("inbox:contact", args=[t.case.contact_id])),
    StaffPage("contact merge", lambda t: reverse("inbox:contact-merge", args=[t.case.contact_id])),
    StaffPage("staff map", "/staff/map/", ready=".leaflet-marker-icon, .marker-cluster"),
    StaffPage("initiatives", "/staff/initiatives/"),
    StaffPage("initiative report", lambda t: reverse("gis:initiative", args=[t.initiative.pk]),
              ready="#gis-impact-map.leaflet-container"),
    StaffPage("new initiative", "/staff/initiatives/new/", ready="#initiative-area-map.leaflet-container"),
    StaffPage("new initiative, as an administrator", "/staff/initiatives/new/", user="boss",
              ready="#initiative-area-map.leaflet-container"),
    StaffPage("edit initiative", lambda t: reverse("gis:initiative-edit", args=[t.initiative.pk]),
              ready="#initiative-area-map.leaflet-container"),
    StaffPage("initiatives refused to an agent", "/staff/initiatives/new/", user="wanda", status=403),
    StaffPage("contact directory", "/staff/contacts/"),
    StaffPage("contact directory, searched", "/staff/contacts/?q=a"),
    StaffPage("team", "/staff/team/"),
    StaffPage("team assignment settings", lambda t: reverse("inbox:team-assignment", args=[t.world.works_team.pk])),
    StaffPage("transfers awaiting approval", "/staff/transfers/"),
    StaffPage("staff accounts", "/staff/people/", user="boss"),
    StaffPage("new staff account", "/staff/people/new/", user="boss"),
    StaffPage("a staff account", lambda t: reverse("inbox:staff-member", args=[t.world.works_agent.pk]), user="boss"),
    StaffPage("team refused to an agent", "/staff/team/", user="wanda", status=403),
    StaffPage("notifications", "/staff/notifications/", user="wanda"),
    StaffPage("notification settings", "/staff/notifications/settings/", user="wanda"),
    StaffPage("outbox", "/staff/outbox/"),
    StaffPage("manage", "/staff/manage/"),
    StaffPage("incidents", "/staff/incidents/"),
    StaffPage("declare an incident", "/staff/incidents/new/"),
    StaffPage("an incident", lambda t: reverse("crisis:staff-incident", args=[t.incident.slug])),
    StaffPage("a new broadcast", lambda t: reverse("crisis:staff-broadcast-new", args=[t.incident.slug])),
    StaffPage("a broadcast's progress", lambda t: reverse("crisis:staff-broadcast", args=[t.broadcast.pk])),
    StaffPage("social listening", "/staff/listening/", ready=".listening-chart canvas"),
    StaffPage("social listening, Spanish urgent posts", "/staff/listening/?window=hour&urgent=yes&lang=es"),
    StaffPage("social listening, bad filters", "/staff/listening/?window=year", status=400),
    StaffPage("a listening alert", lambda t: reverse("listening:alert", args=[t.alert.pk])),
    StaffPage("listening streams", "/staff/listening/streams/"),
    StaffPage("a new listening stream", "/staff/listening/streams/new/"),
    StaffPage("a listening stream", lambda t: reverse("listening:stream", args=[t.alert.stream_id])),
    StaffPage("declare an incident from an alert", lambda t: reverse("listening:alert-declare", args=[t.alert.pk])),
    StaffPage("manage, as an administrator", "/staff/manage/", user="boss"),
    StaffPage("channels", "/staff/channels/"),
    StaffPage("channels refused to an agent", "/staff/channels/", user="wanda", status=403),
    StaffPage("calendars", "/staff/calendars/"),
    StaffPage("response and resolution targets", "/staff/targets/"),
    StaffPage("a new SLA policy", lambda t: reverse("inbox:sla-policy-new", args=[t.world.works.pk])),
    StaffPage("inbox, breaching soon, next due first", "/staff/?view=breaching_soon&sort=due&sla=breaching_soon"),
    StaffPage("connect an X account (the connector off)", "/staff/channels/x/"),
    StaffPage("opt-outs", "/staff/opt-outs/"),
    StaffPage("log a call", "/staff/calls/new/"),
    StaffPage("live chats", "/staff/chats/", user="wanda"),
    StaffPage("captured email", lambda t: reverse("mail:captured-email", args=[t.captured.pk])),
    StaffPage("dashboard: live queue", "/staff/dashboard/", ready="#live-panel"),
    StaffPage("dashboard: live queue, as an agent", "/staff/dashboard/", user="wanda", ready="#live-panel"),
    StaffPage("dashboard: trends", "/staff/dashboard/trends/", ready="#missed-map.leaflet-container"),
    StaffPage("dashboard: trends by week and service", "/staff/dashboard/trends/?period=week&group_by=service",
              user="boss", ready="#missed-map.leaflet-container"),
    StaffPage("dashboard: trends refused to an agent", "/staff/dashboard/trends/", user="wanda", status=403),
]
# GET routes of the walk that are not pages of their own, and why.
NOT_PAGES = {
    "inbox:logout": "signs out (POST); no page",
    "crisis:staff-update": "publishes an incident update (POST); answers with a redirect to the incident",
    "crisis:staff-end": "ends an incident (POST); answers with a redirect to the incident",
    "listening:live": "the triage view's polled fragment, checked inside the triage view",
    "listening:map-data": "GeoJSON for the triage view's map",
    "listening:alert-acknowledge": "acknowledges an alert (POST); answers with a redirect",
    "listening:alert-dismiss": "dismisses an alert (POST); answers with a redirect, or the alert page with the error",
    "listening:post-case": "makes a case from a post (POST); answers with a redirect",
    "listening:post-misinformation": "marks a post as misinformation (POST); answers with a redirect",
    "listening:alert-merge": "merges an alert into another (POST); answers with a redirect, or the alert page",
    "listening:post-group": "groups a post into an incident (POST); answers with a redirect",
    "inbox:inbox-live": "the inbox's live fragment, checked inside the inbox page",
    "dashboards:live-panel": "the live queue's polled fragment, checked inside the dashboard page",
    "inbox:inbox-events": "an event stream",
    "inbox:saved-view-create": "POST only",
    "inbox:saved-view-delete": "POST only",
    "inbox:case-live": "the case page's live fragment, checked inside the case page",
    "inbox:case-events": "an event stream",
    "inbox:case-action": "POST only",
    "inbox:attachment": "a file download",
    "inbox:contact-merge-undo": "POST only",
    "gis:merge-duplicate": "POST only",
    "gis:relocate": "POST only",
    "gis:staff-cases": "GeoJSON for the staff map",
    "gis:hotspots": "GeoJSON for the staff map",
    "inbox:bulk": "POST only (the inbox's bulk bar, checked inside the inbox page)",
    "inbox:case-reply": "POST only (the composer)",
    "inbox:case-note": "POST only (the composer)",
    "inbox:case-reply-preview": "the composer's preview fragment, checked inside the case page",
    "inbox:case-reply-destination": "the composer's destination fragment, checked inside the case page",
    "inbox:case-presence": "the presence heartbeat (POST) and its fragment",
    "inbox:case-presence-leave": "POST only (a closing tab's beacon)",
    "inbox:contact-edit": "POST only (the form is on the contact page)",
    "inbox:contact-identity-add": "POST only (the form is on the contact page)",
    "inbox:contact-identity-remove": "POST only",
    "inbox:contact-note-add": "POST only (the form is on the contact page)",
    "inbox:staff-active": "POST only",
    "inbox:channel-active": "POST only (the form is on the channels page)",
    **dict.fromkeys(("inbox:calendar-hours", "inbox:calendar-closure", "inbox:calendar-closure-remove",
                     "inbox:calendar-ical"), "POST only (the forms are on the calendars page)"),
    "inbox:consent-export": "a CSV download, no page",
    "inbox:sla-policy-delete": "POST only (the button is on a policy's page)",
    "inbox:sla-policy": "a policy's form: the new policy's page with values (slas/tests/test_browser_targets.py)",
    "inbox:hide-comment": "POST only (the button is on a Facebook or Instagram comment on the case page)",
    "inbox:consent-help": "POST only (the form is on the opt-outs page)",
    "inbox:stop-request-decide": "POST only (the form is on the case page)",
    "inbox:case-log-call": "POST only (the form is on the case page)",
    "chatdesk:availability": "POST only (the switch is on the chats page)",
    "chatdesk:live": "the chats page's polling fallback, checked inside the chats page",
    "chatdesk:events": "an event stream",
    "chatdesk:queue": "a fragment of the chats page",
    "chatdesk:panels": "a fragment of the chats page",
    "chatdesk:nav": "the header's chat count, a fragment",
    "chatdesk:accept": "POST only (the button is on the chats page)",
    "chatdesk:message": "POST only (the panel is on the chats page)",
    "chatdesk:end": "POST only (the button is on the chats page)",
    "chatdesk:block": "POST only (the form is on the chats page)",
    "inbox:staff-password-link": "POST only",
    "inbox:team-away": "POST only (the form is on the team page)",
    "inbox:team-handover": "POST only (the form is on the team page)",
    "inbox:team-member-add": "POST only",
    "inbox:team-member-remove": "POST only",
    "inbox:team-transfer-approval": "POST only",
    "inbox:my-away": "POST only (the button is on the inbox page)",
    "inbox:transfer-decide": "POST only (the form is on the transfers and case pages)",
    "notifications:bell": "the header's count fragment, checked inside every staff page",
    "notifications:open": "a redirect to the notification's case",
    "notifications:read": "POST only",
    "notifications:read-all": "POST only",
    "inbox:channel-x-contract": "needs an X account and the connector on: the X browser walk checks it at both widths "
                                "(channels/providers/x/tests/test_browser.py)",
}


@pytest.mark.django_db
def test_every_staff_page_has_a_row_in_the_table(things: Things) -> None:
    """A new GET page under /staff/ (or a staff gis/mail page) without a row here fails: add it to STAFF_PAGES."""
    names = {route.name for route in staff_routes() if not route.route.startswith("api/")}
    names -= {"open311:forward"}  # a staff action (POST), tested with the Open311 forwarding
    covered = {resolve(row.path(things).split("?")[0]).view_name for row in STAFF_PAGES}
    missing = sorted(names - covered - set(NOT_PAGES))
    assert not missing, f"staff pages with no row in STAFF_PAGES (or reason in NOT_PAGES): {missing}"


def session_cookie(base: str, user: Any, *, verified: bool) -> dict[str, Any]:
    """A signed-in session for `user`, past two-factor when `verified` (a confirmed authenticator is made)."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if verified:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Test authenticator", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[ENROLLED_KEY] = True
    session.save()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key or "", "url": base}


@pytest.fixture
def browser(settings: Any) -> Any:
    settings.EMAIL_PORT = free_port()  # nothing listens: deliveries fail fast
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def things(world: World, mapped_cases: list[Any]) -> Things:
    case = next(c for c in mapped_cases if c.agency_id == world.works.pk)
    initiative = Initiative.objects.create(name="Pothole blitz", agency=world.works, area=Area.objects.first(),
                                           start=timezone.localdate() - timedelta(days=14))
    initiative.services.set([world.pothole])
    captured = CapturedEmail.objects.create(captured_at=timezone.now(), subject="Your request", raw="Hello",
                                            recipients="r1@example.com", text="Hello", case=case)
    TOTPDevice.objects.create(user=world.works_agent2, name="Phone", confirmed=True)  # "unverified" signs in as walt
    user = world.works_agent
    token = default_token_generator.make_token(user)
    reset_path = reverse("accounts:password-reset-confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])
    incident = crisis_actions.declare(title_en="River flood", title_es="Inundación del río", summary_en="Stay away.",
                                      summary_es="Manténgase lejos.", agency=world.works, actor=world.supervisor)
    broadcast = crisis_actions.start_broadcast(incident, text_en="Roads closed", text_es="Calles cerradas",
                                               sms_en="Roads closed", sms_es="Calles cerradas", actor=world.supervisor)
    stream = Stream.objects.create(name="Public Works listening", agency=world.works)
    posts = [make_post(stream, f"Water main burst on River Road {n}", lat=40.0 + n / 1000, lon=-75.0, urgent=n == 1)
             for n in range(3)]
    make_post(stream, "Se rompió una tubería en River Road", lang="es", urgent=True, minutes_ago=2)
    alert = make_alert(stream, posts)
    return Things(world=world, case=case, initiative=initiative, captured=captured, reset_path=reset_path,
                  incident=incident, broadcast=broadcast, alert=alert)


def _users(world: World) -> dict[str, tuple[Any, bool]]:
    """Who each table row's `user` means, and whether their session is past two-factor."""
    resident = get_user_model().objects.create_user("resident", password="demo")
    newcomer = create_staff("newcomer", agencies=[world.works])
    return {"sup": (world.supervisor, True), "boss": (world.admin, True), "wanda": (world.works_agent, True),
            "unverified": (world.works_agent2, False), "newcomer": (newcomer, False), "resident": (resident, True)}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("width", WIDTHS)
def test_every_staff_page_passes_axe_at_desktop_and_phone_width(live_server: Any, things: Things, browser: Browser,
                                                                width: int) -> None:
    base = live_server.url
    users = _users(things.world)
    audit_errors: list[str] = []
    violations: dict[str, Any] = {}
    checked = 0
    for row in STAFF_PAGES:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en")
        if row.user is not None:
            user, verified = users[row.user]
            context.add_cookies([session_cookie(base, user, verified=verified)])  # type: ignore[list-item]
        page = context.new_page()
        audit = Audit(page)
        response = page.goto(base + row.path(things))
        assert response is not None and response.status == row.status, f"{row.name}: {response and response.status}"
        expect(page.locator(row.ready).first).to_be_visible()
        audit.check(row.name, "en")
        violations.update(audit.violations)
        audit_errors += [f"{row.name}: {e}" for e in audit.errors if "favicon" not in e]
        checked += 1
        context.close()
    assert checked == len(STAFF_PAGES)
    if violations:
        print(json.dumps(violations, indent=2))
    assert not violations, f"axe found WCAG 2.1 A/AA violations at {width} px on: {sorted(violations)}"
    assert not audit_errors, "\n".join(audit_errors)
