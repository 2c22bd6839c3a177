"""The one case-filter vocabulary: every surface maps its parameters onto the same CaseFilters, and "open" means
the same cases on the inbox, the maps and Open311."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.api.api import CaseQuery
from civicdesk.cases.actions import change_status
from civicdesk.cases.filters import (
    BBox,
    CaseFilters,
    Circle,
    InboxView,
    Sort,
    StatusGroup,
    apply,
    is_open,
    open_statuses,
)
from civicdesk.cases.models import Case, CaseStatus
from civicdesk.gis.mapdata import parse_map_query
from civicdesk.gis.models import CaseLocation
from civicdesk.inbox.filter_forms import InboxFilterForm
from civicdesk.open311.parsing import request_filters
from civicdesk.open311.queries import open311_status, service_requests
from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db

SAME = {"status": "new", "agency": "parks", "service": "tree", "q": "branch"}
WANTED = CaseFilters(q="branch", statuses=("new",), agency="parks", services=("tree",),
                     created_from=date(2026, 1, 1), created_to=date(2026, 1, 31), sort=Sort.NEWEST)


@pytest.fixture
def catalogue():
    parks = create_agency("parks")
    return create_service(parks, "tree")


def inbox_filters(query: str) -> CaseFilters:
    form = InboxFilterForm(QueryDict(query), agencies=Agency.objects.all(), teams=Team.objects.all(),
                           staff=get_user_model().objects.none(), services=Service.objects.all())
    return form.to_filters()


def test_the_inbox_the_api_and_the_map_map_the_same_parameters_onto_the_same_filters(catalogue):
    query = "status=new&agency=parks&service=tree&q=branch&created_from=2026-01-01&created_to=2026-01-31"
    assert inbox_filters(query) == WANTED
    api = CaseQuery(**SAME, created_from=date(2026, 1, 1), created_to=date(2026, 1, 31))
    assert api.to_filters() == WANTED
    mapped, _layout = parse_map_query(QueryDict("status=new&agency=parks&service=tree&from=2026-01-01&to=2026-01-31"))
    assert mapped == replace(WANTED, q="", sort="", located=True)  # the map has no text search and its own order


def test_open_is_the_status_group_on_the_map_and_in_open311_but_a_single_status_in_the_inbox(catalogue):
    mapped, _layout = parse_map_query(QueryDict("status=open"))
    open311 = request_filters(QueryDict("status=open&updated_after=2026-01-01T00:00:00Z")).filters
    assert mapped.status_group == open311.status_group == StatusGroup.OPEN
    assert not mapped.statuses and not open311.statuses
    assert inbox_filters("status=open").statuses == (CaseStatus.OPEN,)  # the inbox lists each status by name
    assert request_filters(QueryDict("status=open,closed")).filters.status_group == ""


def test_open_means_the_same_cases_everywhere(catalogue):
    made = {status: create_case(service=catalogue, lat=40.0, lon=-74.0, email=f"{status}@example.com")
            for status in CaseStatus.values}
    for status, case in made.items():
        if case.status != status:
            change_status(case, actor=None, status=status)
    expected = {made[s].pk for s in open_statuses()}
    assert expected and len(expected) < len(made)
    assert {made[s].pk for s in CaseStatus.values if is_open(s)} == expected
    assert set(apply(Case.objects.all(), CaseFilters(status_group=StatusGroup.OPEN)).values_list("pk", flat=True)) \
        == expected
    assert set(CaseLocation.objects.filter(is_open=True).values_list("case_id", flat=True)) == expected
    assert {made[s].pk for s in CaseStatus.values if open311_status(s) == "open"} == expected
    query = request_filters(QueryDict("status=open&updated_after=2000-01-01T00:00:00Z"))
    assert {c.pk for c in service_requests(query.filters, None)} == expected
    closed = apply(Case.objects.all(), CaseFilters(status_group=StatusGroup.CLOSED))
    assert set(closed.values_list("pk", flat=True)) == {made[s].pk for s in CaseStatus.values} - expected


def test_open311_ids_override_every_other_filter(catalogue):
    query = request_filters(QueryDict("service_request_id=abc&status=closed&service_code=x&lat=1&long=2"))
    assert query.filters == CaseFilters(public_ids=("abc",), include_merged=True, sort=Sort.NEWEST)
    assert (query.page, query.page_size) == (1, 1000)


def test_open311_defaults_to_a_ninety_day_window_of_inclusive_instants():
    end = datetime(2026, 3, 31, 12, tzinfo=UTC)
    filters = request_filters(QueryDict("end_date=2026-03-31T12:00:00Z")).filters
    assert (filters.created_from, filters.created_to) == (end - timedelta(days=90), end)
    assert filters.include_merged and filters.sort == Sort.NEWEST


def test_a_date_covers_the_whole_local_day_and_a_datetime_is_an_inclusive_instant(catalogue):
    case = create_case(service=catalogue)
    day = timezone.localdate(case.created_at)
    assert apply(Case.objects.all(), CaseFilters(created_from=day, created_to=day)).get() == case
    assert not apply(Case.objects.all(), CaseFilters(created_to=day - timedelta(days=1))).exists()
    at = case.created_at
    assert apply(Case.objects.all(), CaseFilters(created_from=at, created_to=at, updated_from=at)).get() == case
    assert not apply(Case.objects.all(), CaseFilters(created_from=at + timedelta(microseconds=1))).exists()


def test_one_status_or_service_is_a_plain_equality_for_the_indexes():
    sql = str(apply(Case.objects.all(), CaseFilters(statuses=("new",), services=("tree",))).query)
    assert '"status" = new' in sql.replace("'", "") and " IN " not in sql
    several = str(apply(Case.objects.all(), CaseFilters(statuses=("new", "open"))).query)
    assert '"status" IN' in several


def test_the_box_and_the_circle_narrow_by_location(catalogue):
    inside = create_case(service=catalogue, lat=40.0, lon=-74.0, email="in@example.com")
    create_case(service=catalogue, lat=41.0, lon=-74.0, email="out@example.com")
    create_case(service=catalogue, email="nowhere@example.com")
    assert apply(Case.objects.all(), CaseFilters(bbox=BBox(-74.1, 39.9, -73.9, 40.1))).get() == inside
    circle = Circle(40.0, -74.0, 1000)
    assert apply(Case.objects.all(), CaseFilters(near=circle)).get() == inside
    assert circle.contains(40.0, -74.005) and not circle.contains(40.0, -74.02) and not circle.contains(None, None)
    assert apply(Case.objects.all(), CaseFilters(located=True)).count() == 2


def test_merged_cases_are_left_out_unless_asked_for(catalogue):
    case, duplicate = create_case(service=catalogue), create_case(service=catalogue, email="b@example.com")
    Case.objects.filter(pk=duplicate.pk).update(merged_into=case)
    assert list(apply(Case.objects.all(), CaseFilters())) == [case]
    assert apply(Case.objects.all(), CaseFilters(include_merged=True)).count() == 2


def test_a_view_of_ones_own_cases_needs_the_user():
    with pytest.raises(ValueError):
        apply(Case.objects.all(), CaseFilters(view=InboxView.MINE))


def test_map_locations_refuse_filters_they_cannot_apply():
    from civicdesk.gis.mapdata import location_rows

    with pytest.raises(ValueError, match="channel"):
        location_rows(None, CaseFilters(channel="email"))


def test_narrowing_names_the_fields_that_are_set():
    assert CaseFilters().narrowing() == set()
    assert CaseFilters(statuses=("new",), located=True).narrowing() == {"statuses", "located"}
