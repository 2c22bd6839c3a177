"""The SLA sweep: warnings and breaches marked exactly once, on the timeline, notified to the assignee and the
supervisors, escalated as the policy says; and the inbox's filter, sort and "Breaching soon" view."""

import pytest
from django.urls import reverse

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions as case_actions
from civicdesk.cases.filters import CaseFilters, InboxView, SlaState, Sort, apply
from civicdesk.cases.models import Case, Priority
from civicdesk.inbox.sentences import describe
from civicdesk.inbox.wording import Names
from civicdesk.notifications.models import Notification, NotificationKind
from civicdesk.slas import queries
from civicdesk.slas.models import CaseTarget, TargetKind
from civicdesk.slas.sweep import claim, sweep
from civicdesk.slas.tests.helpers import HOUR, Clock, make_policy, ny
from civicdesk.testing.factories import create_agency, create_case, create_staff, create_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(settings):
    settings.TIME_ZONE = "America/New_York"
    agency = create_agency("311")
    team = create_team(agency, "Streets")
    agent = create_staff("agent", agencies=[agency], teams=[team])
    lead = create_staff("lead", role=StaffRole.SUPERVISOR, agencies=[agency], teams=[team])
    other_lead = create_staff("other", role=StaffRole.SUPERVISOR, agencies=[agency])
    return agency, team, agent, lead, other_lead


def assigned_case(agency, team, agent) -> Case:
    case = create_case(channel="email")
    case_actions.assign(case, actor=None, assignee=agent, team=team)
    return case


def test_a_warning_then_a_breach_each_fire_once_with_the_timeline_and_notifications(desk, monkeypatch):
    agency, team, agent, lead, other_lead = desk
    make_policy(agency, first_response_seconds=HOUR, resolution_seconds=None)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = assigned_case(agency, team, agent)
    clock.set(ny(2026, 10, 19, 9, 40))
    assert sweep().warned == 0
    clock.set(ny(2026, 10, 19, 9, 48))  # 80% of an hour
    assert (sweep().warned, sweep().warned) == (1, 0)
    assert Notification.objects.filter(kind=NotificationKind.SLA_WARNING).values_list(
        "recipient__username", flat=True).get() == "agent"
    assert queries.breaching_soon_targets().filter(case=case).exists()
    clock.set(ny(2026, 10, 19, 10, 0, 10))
    first = sweep()
    assert (first.breached, sweep().breached) == (1, 0)
    missed = CaseTarget.objects.get(case=case, kind=TargetKind.FIRST_RESPONSE)
    assert missed.breached_at == ny(2026, 10, 19, 10)  # dated at the due moment
    entries = AuditEntry.objects.filter(case=case, action=AuditAction.SLA_BREACHED)
    assert entries.count() == 1
    assert "first response target was missed" in describe(entries.get(), Names()).text
    told = set(Notification.objects.filter(kind=NotificationKind.SLA_BREACHED).values_list("recipient__username",
                                                                                            flat=True))
    assert told == {"agent", "lead"}  # the team's supervisor, not every supervisor of the agency


def test_two_sweeps_racing_for_one_target_mark_it_once(desk, monkeypatch):
    agency, team, agent, *_ = desk
    make_policy(agency, first_response_seconds=HOUR)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = assigned_case(agency, team, agent)
    clock.set(ny(2026, 10, 19, 11))
    pk = CaseTarget.objects.get(case=case, kind=TargetKind.FIRST_RESPONSE).pk
    assert [claim([pk], breach=True, now=clock.now), claim([pk], breach=True, now=clock.now)] == [[pk], []]
    assert sweep().breached == 0  # the other worker's mark stands; nothing is written twice


def test_a_reply_before_the_due_time_means_no_breach(desk, monkeypatch):
    from civicdesk.conversations import replies

    agency, team, agent, *_ = desk
    make_policy(agency, first_response_seconds=HOUR)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = assigned_case(agency, team, agent)
    clock.set(ny(2026, 10, 19, 9, 59))
    replies.reply(case, author=agent, text="On it.")
    clock.set(ny(2026, 10, 19, 12))
    assert sweep().breached == 0


def test_an_unassigned_case_warns_the_agency_supervisors(desk, monkeypatch):
    agency, *_ = desk
    make_policy(agency, first_response_seconds=HOUR)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    create_case(channel="email")
    clock.set(ny(2026, 10, 19, 9, 50))
    sweep()
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"lead", "other"}


def test_escalation_raises_the_priority_and_returns_the_case_to_its_team_queue(desk, monkeypatch):
    agency, team, agent, *_ = desk
    make_policy(agency, first_response_seconds=HOUR, escalate_priority=True, escalate_unassign=True)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    case = assigned_case(agency, team, agent)
    resolution_due = CaseTarget.objects.get(case=case, kind=TargetKind.RESOLUTION).due_at
    clock.set(ny(2026, 10, 19, 10, 5))
    assert sweep().escalated == 1
    case.refresh_from_db()
    assert (case.priority, case.assignee_id, case.team_id) == (Priority.HIGH, None, team.pk)
    reasons = list(AuditEntry.objects.filter(case=case, actor_label="sla").values_list("action", flat=True))
    assert reasons == [AuditAction.SLA_BREACHED, AuditAction.PRIORITY_CHANGED, AuditAction.ASSIGNED]
    # the escalation's own priority change keeps the targets where they were
    assert CaseTarget.objects.get(case=case, kind=TargetKind.RESOLUTION).due_at == resolution_due


def test_the_filter_the_sort_and_the_breaching_soon_view(desk, monkeypatch, client):
    agency, team, agent, lead, _ = desk
    make_policy(agency, first_response_seconds=HOUR, resolution_seconds=None)
    make_policy(agency, name="Relaxed", priority=Priority.LOW, first_response_seconds=4 * HOUR,
                resolution_seconds=None)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    late = assigned_case(agency, team, agent)
    clock.set(ny(2026, 10, 19, 9, 30))
    soon = assigned_case(agency, team, agent)
    relaxed = assigned_case(agency, team, agent)
    case_actions.set_priority(relaxed, actor=agent, priority=Priority.LOW)
    nothing = create_case(channel="email")
    CaseTarget.objects.filter(case=nothing).delete()
    Case.objects.filter(pk=nothing.pk).update(sla_due_at=None)
    clock.set(ny(2026, 10, 19, 10, 20))  # late: breached; soon: past 80% of its hour; relaxed: not yet
    sweep()
    cases = Case.objects.all()
    assert set(apply(cases, CaseFilters(sla=SlaState.BREACHING_SOON))) == {soon}
    assert set(apply(cases, CaseFilters(sla=SlaState.BREACHED))) == {late}
    assert [c.pk for c in apply(cases, CaseFilters(sort=Sort.DUE))] == [late.pk, soon.pk, relaxed.pk, nothing.pk]
    assert set(apply(cases, CaseFilters(view=InboxView.BREACHING_SOON), user=agent)) == {soon}
    assert not apply(cases, CaseFilters(sla="nonsense")).exists()
    client.force_login(agent)
    page = client.get(reverse("inbox:inbox"), {"view": "breaching_soon"})
    assert page.status_code == 200
    assert soon.number in page.content.decode() and late.number not in page.content.decode()
    assert "Breaching soon" in page.content.decode()
    assert client.get(reverse("inbox:inbox"), {"sla": "breached", "sort": "due"}).status_code == 200
    assert client.get(reverse("inbox:inbox"), {"sla": "bogus"}).status_code == 200
    detail = client.get(reverse("inbox:case", args=[late.number])).content.decode()
    assert "Missed" in detail and 'id="case-targets"' in detail


def test_compliance_counts_met_and_breached_targets_by_group(desk, monkeypatch):
    from civicdesk.conversations import replies

    agency, team, agent, *_ = desk
    make_policy(agency, first_response_seconds=HOUR, resolution_seconds=None)
    clock = Clock(monkeypatch, ny(2026, 10, 19, 9))
    on_time = assigned_case(agency, team, agent)
    missed = assigned_case(agency, team, agent)
    clock.set(ny(2026, 10, 19, 9, 30))
    replies.reply(on_time, author=agent, text="Hello")
    clock.set(ny(2026, 10, 19, 11))
    sweep()
    replies.reply(missed, author=agent, text="Sorry, late")  # met late: counts once, as breached
    day = (ny(2026, 10, 19), ny(2026, 10, 20))
    assert queries.compliance_by(Case.objects.all(), "agency_id", *day) == {agency.pk: (1, 1)}
    assert queries.compliance_by(Case.objects.all(), "channel", *day) == {"email": (1, 1)}
    assert queries.compliance_by(Case.objects.all(), "agency_id", ny(2026, 10, 20), ny(2026, 10, 21)) == {}
