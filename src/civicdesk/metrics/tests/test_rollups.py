"""The precomputed figures equal the figures recomputed from the raw timelines, both ways: the rollups (the API's fast
path) and the per-case events give, for every grouping and both kinds of hours, exactly what a fresh computation from
the cases' messages and trails gives; and after cases change, one catch-up run brings them level again."""

import random
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings

from civicdesk.agencies.models import Agency
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.metrics.actions import build, catch_up
from civicdesk.metrics.models import Dimension, Hours, MetricKind
from civicdesk.metrics.queries import GROUP_FIELDS, agency_figures, figures, raw_key
from civicdesk.metrics.stats import summarise
from civicdesk.metrics.tests.timelines import Timeline, nine_to_five, ny
from civicdesk.testing.factories import create_agency, create_service, create_staff, create_team

pytestmark = pytest.mark.django_db
START, END = date(2026, 9, 1), date(2026, 11, 30)


@pytest.fixture(autouse=True)
def new_york(settings) -> None:
    settings.TIME_ZONE = "America/New_York"


def varied_cases(rng: random.Random, agencies: list[Agency], people: list[Any]) -> list[Timeline]:
    """Cases with every kind of timeline: acknowledged, answered, waiting, resolved, reopened, transferred."""
    made = []
    for _ in range(36):
        agency = rng.choice(agencies)
        at = ny(2026, 9, 1, 8) + timedelta(hours=rng.randint(0, 24 * 85))
        case = Timeline(agency, at, channel=rng.choice(["web", "email", "sms", "phone"]),
                        team=rng.choice([None, *agency.teams.all()]), assignee=rng.choice([None, *people]),
                        service=rng.choice([None, *agency.services.all()]))
        for _step in range(rng.randint(0, 7)):
            at += timedelta(minutes=rng.randint(5, 60 * 50))
            move = rng.choice(["ack", "reply", "inbound", "note", "wait", "open", "resolve", "close", "transfer"])
            status = case.case.status
            if move == "ack":
                case.acknowledgement(at)
            elif move == "reply":
                case.reply(at)
            elif move == "inbound":
                case.inbound(at)
                if status in (CaseStatus.RESOLVED, CaseStatus.WAITING):
                    case.status(at, CaseStatus.OPEN)
            elif move == "note":
                case.note(at)
            elif move == "wait" and status not in CaseStatus.finished():
                case.status(at, CaseStatus.WAITING)
            elif move == "open" and status != CaseStatus.NEW:
                case.status(at, CaseStatus.OPEN)
            elif move in ("resolve", "close"):
                case.status(at, CaseStatus.RESOLVED if move == "resolve" else CaseStatus.CLOSED)
            elif move == "transfer":
                case.transfer(at, rng.choice([a for a in agencies if a != case.case.agency]))
        made.append(case)
    return made


def recomputed(group_by: str, hours: str) -> dict[str, dict[str, Any]]:
    """The figures straight from the raw timelines, without MetricEvent or DailyRollup rows."""
    field = GROUP_FIELDS[group_by]
    values: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    backlog: dict[str, int] = defaultdict(int)
    events, _areas = build(list(Case.objects.values_list("pk", flat=True)))
    for event in events:
        key = raw_key(getattr(event, field))
        if event.day <= END and event.kind in (MetricKind.CREATED, MetricKind.RESOLVED, MetricKind.REOPENED):
            backlog[key] += -1 if event.kind == MetricKind.RESOLVED else 1
        if START <= event.day <= END:
            counts[key][event.kind] += 1
            seconds = event.business_seconds if hours == Hours.BUSINESS else event.calendar_seconds
            if seconds is not None:
                values[key][event.kind].append(seconds)
    return {key: {"created": counts[key][MetricKind.CREATED], "resolved": counts[key][MetricKind.RESOLVED],
                  "reopened": counts[key][MetricKind.REOPENED], "first_contact": counts[key][MetricKind.FIRST_CONTACT],
                  "backlog": backlog[key],
                  "first_response": summarise(values[key][MetricKind.FIRST_RESPONSE]),
                  "next_response": summarise(values[key][MetricKind.NEXT_RESPONSE]),
                  "resolution": summarise(values[key][MetricKind.RESOLVED]),
                  "resolution_since_reopen": summarise(values[key][MetricKind.RESOLVED_SINCE_REOPEN])}
            for key in set(counts) | {k for k, v in backlog.items() if v}}


def as_table(groups: list[Any], group_by: str) -> dict[str, dict[str, Any]]:
    table = {}
    for group in groups:
        table[group.key] = {name: getattr(group, name) for name in (
            "created", "resolved", "reopened", "first_contact", "backlog", "first_response", "next_response",
            "resolution", "resolution_since_reopen")}
    return table


def raw_keys(table: dict[str, dict[str, Any]], group_by: str) -> dict[str, dict[str, Any]]:
    """Shown keys (slugs, codes, usernames) back to ids, to compare with the recomputation."""
    if group_by == Dimension.AGENCY:
        ids = {a.slug: str(a.pk) for a in Agency.objects.all()}
    elif group_by == Dimension.SERVICE:
        from civicdesk.agencies.models import Service

        ids = {s.code: str(s.pk) for s in Service.objects.all()}
    elif group_by == Dimension.AGENT:
        from django.contrib.auth import get_user_model

        ids = {u.get_username(): str(u.pk) for u in get_user_model().objects.all()}
    else:
        ids = {}
    return {ids.get(key, key): row for key, row in table.items()}


def check_all_level() -> None:
    for group_by in Dimension.values:
        for hours in Hours.values:
            expected = recomputed(group_by, hours)
            kwargs = {"start": START, "end": END, "group_by": group_by, "hours": hours}
            from_rollups = raw_keys(as_table(agency_figures(None, **kwargs), group_by), group_by)
            from_events = raw_keys(as_table(figures(Case.objects.all(), **kwargs), group_by), group_by)
            assert from_rollups == expected, (group_by, hours)
            assert from_events == expected, (group_by, hours)


@pytest.fixture
def dataset():
    rng = random.Random(13)
    works, parks = create_agency("works", "Public Works"), create_agency("parks", "Parks")
    nine_to_five(works)  # parks keeps the default calendar
    for agency in (works, parks):
        create_team(agency, "Crew")
        create_service(agency, f"{agency.slug}-fix")
    people = [create_staff(f"agent{n}", agencies=[works, parks]) for n in range(3)]
    return rng, varied_cases(rng, [works, parks], people)


def test_rollups_and_events_equal_a_recomputation_from_the_raw_timelines(dataset) -> None:
    rng, cases = dataset
    catch_up()
    assert sum(1 for c in cases if c.case.status in CaseStatus.finished()) > 5
    check_all_level()


def test_after_changes_one_catch_up_brings_every_figure_level_with_the_timelines_again(dataset) -> None:
    rng, cases = dataset
    later = ny(2026, 11, 20, 10)
    catch_up(now=later - timedelta(hours=1))  # the last run, an hour before these changes
    parks = Agency.objects.get(slug="parks")
    for case in cases[::3]:  # reopen, answer, resolve again, and move some to the other agency
        case.reply(later)
        if case.case.status in CaseStatus.finished():
            case.status(later + timedelta(hours=1), CaseStatus.OPEN)
        case.status(later + timedelta(hours=2), CaseStatus.RESOLVED)
        if case.case.agency_id != parks.pk:
            case.transfer(later + timedelta(hours=3), parks)
    stale = agency_figures(None, start=START, end=END, group_by="agency", hours="business")
    catch_up()
    assert agency_figures(None, start=START, end=END, group_by="agency", hours="business") != stale
    check_all_level()


def test_figures_are_caught_up_often_enough_to_lag_at_most_a_minute() -> None:
    interval = dict(django_settings.PERIODIC_TASKS)["civicdesk.metrics.tasks.catch_up_figures"]
    assert interval <= 45  # plus the run itself and the OVERLAP re-read: under 60 s behind


def test_figures_of_several_ranges_at_once_equal_each_range_read_alone(dataset) -> None:
    """The trends' path (agency_figures_spans: one read for twelve periods) gives what agency_figures gives for each
    period by itself, targets met and missed and surveys included, for weeks, overlapping and gapped ranges."""
    from civicdesk.metrics.queries import agency_figures_spans
    from civicdesk.satisfaction.models import Survey
    from civicdesk.slas.models import CaseTarget

    rng, cases = dataset
    catch_up()
    for n, timeline in enumerate(cases):
        at = ny(2026, 9, 1, 9) + timedelta(hours=rng.randrange(0, 24 * 90))
        met, breached = (at, None) if n % 3 else (None, at)
        CaseTarget.objects.create(case=timeline.case, kind="first_response", target_seconds=3600,
                                  started_at=at - timedelta(hours=2), met_at=met, breached_at=breached)
        if n % 2:
            Survey.objects.create(case=timeline.case, created_at=at, sent_at=at, status="sent",
                                  score=rng.choice([None, 1, 4, 5]))
    weeks = [(START + timedelta(weeks=w), START + timedelta(weeks=w, days=6)) for w in range(13)]
    odd = [(date(2026, 11, 10), date(2026, 11, 30)), (date(2026, 9, 1), date(2026, 10, 15)),
           (date(2026, 10, 20), date(2026, 10, 31))]  # out of order, with gaps
    works = [Agency.objects.get(slug="works").pk]
    for group_by in Dimension.values:
        for hours in Hours.values:
            for agency_ids in (None, works):
                for spans in (weeks, odd):
                    together = agency_figures_spans(agency_ids, spans=spans, group_by=group_by, hours=hours)
                    alone = [agency_figures(agency_ids, start=s, end=e, group_by=group_by, hours=hours)
                             for s, e in spans]
                    assert together == alone, (group_by, hours, agency_ids)
    assert any(g.sla.met and g.sla.breached and g.csat.answered for found in together for g in found)
    with pytest.raises(ValueError, match="overlap"):
        agency_figures_spans(None, spans=[weeks[0], (weeks[0][1], weeks[1][1])], group_by="agency", hours="business")
