"""SLA clocks computed by hand: which policy applies, business due times across a weekend, a holiday and a
daylight-saving change, a pause while waiting on the resident, next responses, resolution and reopening."""

import itertools

import pytest

from civicdesk.cases import actions as case_actions
from civicdesk.cases import transfers
from civicdesk.cases.models import Case, CaseStatus, Priority
from civicdesk.channels.events import InboundMessage, SenderIdentity
from civicdesk.conversations import replies
from civicdesk.conversations.tests.inbound import receive
from civicdesk.slas.clocks import start_targets
from civicdesk.slas.models import CaseTarget, Hours, TargetKind
from civicdesk.slas.queries import policy_for
from civicdesk.slas.tests.helpers import BUSINESS_DAY, HOUR, Clock, make_policy, ny
from civicdesk.testing.factories import create_agency, create_case, create_service, create_staff

pytestmark = pytest.mark.django_db
SEQ = itertools.count(1)
FIRST, NEXT, RESOLUTION = TargetKind.FIRST_RESPONSE, TargetKind.NEXT_RESPONSE, TargetKind.RESOLUTION


@pytest.fixture
def agency(settings):
    settings.TIME_ZONE = "America/New_York"
    return create_agency("311")


def target(case: Case, kind: str, *, running: bool = True) -> CaseTarget:
    found = CaseTarget.objects.filter(case=case, kind=kind).order_by("-started_at", "-id")
    if running:
        found = found.filter(met_at__isnull=True, cancelled_at__isnull=True)
    return found.get() if running else found.first()  # type: ignore[return-value]


def email_from_resident(case: Case, text: str = "Any news?") -> None:
    receive(InboundMessage(channel="email", provider_message_id=f"<{next(SEQ)}@resident.example>",
                           sender=SenderIdentity("email", "resident@example.com"),
                           subject=f"Re: [{case.number}] A problem", body_text=text, visible_text=text))


def test_the_most_specific_policy_wins_service_then_priority_then_channel(agency):
    potholes = create_service(agency, "potholes")
    general = make_policy(agency, name="General")
    by_channel = make_policy(agency, name="SMS", channel="sms")
    by_priority = make_policy(agency, name="Urgent", priority=Priority.URGENT)
    by_service = make_policy(agency, name="Potholes", service=potholes)
    make_policy(agency, name="Inactive", service=potholes, priority=Priority.URGENT, is_active=False)
    case = Case(agency=agency, service=None, priority=Priority.NORMAL, channel="web")
    assert policy_for(case) == general
    case.channel = "sms"
    assert policy_for(case) == by_channel
    case.priority = Priority.URGENT
    assert policy_for(case) == by_priority  # priority beats channel
    case.service = potholes
    assert policy_for(case) == by_service  # service beats priority and channel
    other = Case(agency=create_agency("parks"), priority=Priority.URGENT, channel="sms")
    assert policy_for(other) is None  # another agency's policies never apply


def test_a_new_case_gets_first_response_and_resolution_targets_in_business_time(agency, monkeypatch):
    make_policy(agency)
    Clock(monkeypatch, ny(2026, 10, 16, 16))  # a Friday, one hour before closing
    case = create_case(channel="email")
    assert target(case, FIRST).due_at == ny(2026, 10, 19, 16)  # 1 h on Friday, 8 h on Monday
    assert target(case, RESOLUTION).due_at == ny(2026, 10, 23, 16)  # 45 business hours: the next Friday
    assert target(case, FIRST).warn_at == ny(2026, 10, 19, 14, 12)  # 80% of 9 h = 7 h 12 min
    case.refresh_from_db()
    assert case.sla_due_at == ny(2026, 10, 19, 16)
    assert not CaseTarget.objects.filter(case=case, kind=NEXT).exists()


def test_a_federal_holiday_and_a_daylight_saving_change_are_skipped(agency):
    policy = make_policy(agency, resolution_seconds=None)
    case = create_case(channel="email")
    CaseTarget.objects.filter(case=case).delete()
    thanksgiving = start_targets(case, (FIRST,), ny(2026, 11, 25, 16), policy=policy)[0]
    assert thanksgiving.due_at == ny(2026, 11, 27, 16)  # Wednesday 1 h, Thanksgiving closed, Friday 8 h
    CaseTarget.objects.filter(case=case).delete()
    fall_back = start_targets(case, (FIRST,), ny(2026, 10, 30, 16), policy=policy)[0]
    assert fall_back.due_at == ny(2026, 11, 2, 16)  # 16:00 local on Monday, now in EST
    calendar = make_policy(agency, name="Around the clock", first_response_seconds=72 * HOUR,
                           hours=Hours.CALENDAR, channel="email")
    CaseTarget.objects.filter(case=case).delete()
    around = start_targets(case, (FIRST,), ny(2026, 10, 30, 16), policy=calendar)[0]
    assert around.due_at == ny(2026, 11, 2, 15)  # 72 real hours: the clock fell back one hour on Sunday


def test_an_agents_reply_meets_the_first_response_but_an_automatic_message_does_not(agency, monkeypatch):
    make_policy(agency)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    assert target(case, FIRST).met_at is None  # the automatic acknowledgement did not count
    clock.advance(hours=1)
    replies.reply(case, author=create_staff(agencies=[agency]), text="We are on it.")
    met = target(case, FIRST, running=False)
    assert met.met_at == ny(2026, 10, 19, 10) and met.breached_at is None
    case.refresh_from_db()
    assert case.sla_due_at == target(case, RESOLUTION).due_at


def test_the_resident_writing_again_opens_a_next_response_target_that_the_reply_meets(agency, monkeypatch):
    make_policy(agency, next_response_seconds=2 * HOUR)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    agent = create_staff(agencies=[agency])
    email_from_resident(case, "Before any answer")  # no next-response target before the first response
    assert not CaseTarget.objects.filter(case=case, kind=NEXT).exists()
    clock.advance(hours=1)
    replies.reply(case, author=agent, text="Looking into it.")
    clock.advance(hours=6)  # 16:00 Monday
    email_from_resident(case)
    assert target(case, NEXT).due_at == ny(2026, 10, 20, 9)  # 1 h Monday, 1 h Tuesday morning
    email_from_resident(case, "Still nothing")  # one running next-response target at a time
    assert CaseTarget.objects.filter(case=case, kind=NEXT).count() == 1
    clock.advance(minutes=30)
    replies.reply(case, author=agent, text="A crew comes tomorrow.")
    assert target(case, NEXT, running=False).met_at == ny(2026, 10, 19, 16, 30)
    clock.advance(minutes=10)
    email_from_resident(case, "Thanks")
    assert CaseTarget.objects.filter(case=case, kind=NEXT).count() == 2


def test_waiting_on_the_resident_pauses_the_clock_and_moves_the_due_time(agency, monkeypatch):
    make_policy(agency)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))  # Monday
    case = create_case(channel="email")
    agent = create_staff(agencies=[agency])
    resolution_due = target(case, RESOLUTION).due_at
    assert resolution_due == ny(2026, 10, 26, 9)
    clock.set(ny(2026, 10, 20, 10))
    case_actions.change_status(case, actor=agent, status=CaseStatus.WAITING)
    paused = target(case, RESOLUTION)
    assert paused.paused_at == ny(2026, 10, 20, 10) and paused.due_at is None
    case.refresh_from_db()
    assert case.sla_due_at is None  # nothing runs while waiting
    clock.set(ny(2026, 10, 21, 11))  # 10 business hours later (Tue 7 h + Wed 3 h)
    case_actions.change_status(case, actor=agent, status=CaseStatus.IN_PROGRESS)
    resumed = target(case, RESOLUTION)
    assert resumed.paused_at is None and resumed.paused_seconds == 10 * HOUR
    assert resumed.due_at == ny(2026, 10, 27, 10)  # ten business hours after the first due time


def test_a_policy_can_pause_on_other_statuses_or_none(agency, monkeypatch):
    make_policy(agency, pause_statuses=[])
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    clock.advance(hours=1)
    case_actions.change_status(case, actor=create_staff(agencies=[agency]), status=CaseStatus.WAITING)
    assert target(case, RESOLUTION).paused_at is None


def test_resolving_meets_the_resolution_and_reopening_starts_it_again(agency, monkeypatch):
    make_policy(agency)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    agent = create_staff(agencies=[agency])
    clock.advance(hours=2)
    case_actions.change_status(case, actor=agent, status=CaseStatus.RESOLVED)
    assert target(case, RESOLUTION, running=False).met_at == ny(2026, 10, 19, 11)
    first = target(case, FIRST, running=False)
    assert first.cancelled_at == ny(2026, 10, 19, 11) and first.met_at is None  # resolved without a reply
    case.refresh_from_db()
    assert case.sla_due_at is None
    clock.set(ny(2026, 10, 20, 9))
    email_from_resident(case, "It is broken again")  # reopens the case
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    again = target(case, RESOLUTION)
    assert again.started_at == ny(2026, 10, 20, 9) and again.due_at == ny(2026, 10, 27, 9)
    assert CaseTarget.objects.filter(case=case, kind=RESOLUTION).count() == 2


def test_a_higher_priority_moves_running_targets_to_its_policy(agency, monkeypatch):
    make_policy(agency)
    make_policy(agency, name="Urgent", priority=Priority.URGENT, first_response_seconds=HOUR,
                resolution_seconds=BUSINESS_DAY)
    Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    case_actions.set_priority(case, actor=create_staff(agencies=[agency]), priority=Priority.URGENT)
    assert target(case, FIRST).due_at == ny(2026, 10, 19, 10)
    assert target(case, RESOLUTION).due_at == ny(2026, 10, 20, 9)
    case.refresh_from_db()
    assert case.sla_due_at == ny(2026, 10, 19, 10)


def test_a_transfer_to_an_agency_without_a_policy_stops_the_clocks(agency, monkeypatch):
    make_policy(agency)
    Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = create_case(channel="email")
    transfers.transfer(case, actor=create_staff(agencies=[agency]), to_agency=create_agency("parks"),
                          reason="Trees")
    assert not CaseTarget.objects.filter(case=case, met_at__isnull=True, cancelled_at__isnull=True).exists()
    case.refresh_from_db()
    assert case.sla_due_at is None


def test_a_case_without_a_policy_has_no_targets(agency):
    case = create_case(channel="email")
    assert not CaseTarget.objects.filter(case=case).exists()
    assert case.sla_due_at is None
