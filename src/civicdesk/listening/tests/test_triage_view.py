"""The triage view of social listening: scoping by agency, the alert's handling and its incident, a case made from a
post exactly once through the one intake, the misinformation mark, bad filters and flat query counts."""

from datetime import timedelta
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.models import Channel, InboundPayload
from civicdesk.crisis.models import Incident
from civicdesk.listening import actions
from civicdesk.listening.models import (
    Alert,
    AlertStatus,
    Category,
    CountKind,
    IncidentPost,
    MinuteCount,
    Post,
    PostCase,
    PostEvent,
    PostEventKind,
    PostFlag,
    Stream,
)
from civicdesk.testing.factories import create_agency, create_staff

_ids = count(1)


def make_post(stream: Stream, text: str = "Water main burst on Elm Street, road flooded", *, minutes_ago: float = 5,
              **extra: object) -> Post:
    n = next(_ids)
    now = timezone.now()
    values: dict[str, object] = {
        "stream": stream, "platform": "bluesky", "post_id": f"p{n}", "author": f"someone{n}.example",
        "created_at": now - timedelta(minutes=minutes_ago), "ingested_at": now, "text": text,
        "url": f"https://bsky.example/post/{n}", "lang": "en", "relevance": 0.9,
        "category": Category.INFRASTRUCTURE, "urgent": False, "fingerprint": n, "lat": 40.0, "lon": -75.0,
        "place": "Elm Street"}
    values.update(extra)
    return Post.objects.create(**values)


def make_alert(stream: Stream, posts: list[Post] | None = None) -> Alert:
    now = timezone.now()
    return Alert.objects.create(
        stream=stream, raised_at=now - timedelta(minutes=3), window_start=now - timedelta(minutes=8), posts=40,
        rate_per_min=12, baseline_per_min=0.5, terms=["water", "flood", "main"],
        categories={"infrastructure": 30}, samples=[f"{p.platform}:{p.post_id}" for p in posts or []],
        area={"cells": [], "box": [], "places": ["Elm Street"]}, keys=["stream:relevant"])


@pytest.fixture
def city(db):
    agency = create_agency("public-works", "Public Works")
    other = create_agency("parks", "Parks")
    stream = Stream.objects.create(name="Public Works listening", agency=agency)
    other_stream = Stream.objects.create(name="Parks listening", agency=other)
    supervisor = create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[agency])
    agent = create_staff("agent", agencies=[agency])
    stranger = create_staff("stranger", role=StaffRole.SUPERVISOR, agencies=[other])
    return {"agency": agency, "stream": stream, "other_stream": other_stream, "supervisor": supervisor,
            "agent": agent, "stranger": stranger}


def test_the_triage_view_shows_the_agencys_posts_alerts_and_volume(client, city):
    post = make_post(city["stream"])
    make_post(city["other_stream"], "Parks post that Public Works must not see")
    alert = make_alert(city["stream"], [post])
    minute = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=3)
    MinuteCount.objects.create(stream=city["stream"], minute=minute, kind=CountKind.STREAM, key="all", posts=9)
    MinuteCount.objects.create(stream=city["stream"], minute=minute, kind=CountKind.STREAM, key="relevant", posts=7)
    client.force_login(city["agent"])
    response = client.get(reverse("listening:triage"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Water main burst" in page and "Parks post" not in page
    assert reverse("listening:alert", args=[alert.pk]) in page
    assert "In the last day: 9 posts, 7 relevant." in page
    assert "1 alert was raised." in page
    assert 'hx-trigger="every 5s"' in page
    assert "someone" not in page  # authors are not shown


def test_another_agencys_staff_see_none_of_it_and_get_404_for_its_alerts_and_posts(client, city):
    post = make_post(city["stream"])
    alert = make_alert(city["stream"], [post])
    client.force_login(city["stranger"])
    page = client.get(reverse("listening:triage")).content.decode()
    assert "Water main burst" not in page and reverse("listening:alert", args=[alert.pk]) not in page
    assert client.get(reverse("listening:alert", args=[alert.pk])).status_code == 404
    assert client.post(reverse("listening:alert-acknowledge", args=[alert.pk])).status_code == 404
    assert client.post(reverse("listening:alert-dismiss", args=[alert.pk]), {"reason": "x"}).status_code == 404
    assert client.get(reverse("listening:alert-declare", args=[alert.pk])).status_code == 404
    assert client.post(reverse("listening:post-case", args=[post.pk])).status_code == 404
    assert client.post(reverse("listening:post-misinformation", args=[post.pk])).status_code == 404
    data = client.get(reverse("listening:map-data")).json()
    assert data["features"] == []
    assert not PostCase.objects.exists() and Alert.objects.get().status == AlertStatus.OPEN


def test_signed_out_visitors_are_sent_to_sign_in(client, city):
    response = client.get(reverse("listening:triage"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_making_a_case_twice_makes_one_case_linked_to_the_post(client, city):
    post = make_post(city["stream"], urgent=True)
    client.force_login(city["agent"])
    url = reverse("listening:post-case", args=[post.pk])
    first = client.post(url, {"next": reverse("listening:triage")})
    second = client.post(url, {"next": reverse("listening:triage")})
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1 and PostCase.objects.count() == 1
    case = Case.objects.get()
    assert PostCase.objects.get().post == post and case.agency == city["agency"]
    assert case.channel == Channel.BLUESKY and case.contact is None  # no contact made from the author
    assert InboundPayload.objects.filter(provider_message_id=f"listening:bluesky:{post.post_id}").count() == 1
    note = Message.objects.get(case=case, direction=Direction.NOTE)
    assert "social listening" in note.body_text and note.is_automatic
    assert AuditEntry.objects.filter(case=case, action=AuditAction.CASE_CREATED).count() == 1
    assert list(PostEvent.objects.values_list("kind", "detail")) == [(PostEventKind.CASE_MADE, case.number)]
    page = client.get(reverse("listening:triage")).content.decode()
    assert reverse("inbox:case", args=[case.number]) in page
    timeline = client.get(reverse("inbox:case", args=[case.number])).content.decode()
    assert "Made from a public post found by social listening" in timeline


def test_a_case_made_again_after_a_rolled_back_attempt_is_made_once(city):
    post = make_post(city["stream"])
    case, created = actions.make_case(post, city["agent"])
    again, created_again = actions.make_case(post, city["agent"])
    assert created and not created_again and again.pk == case.pk
    # the link lost (as if the worker died between the intake and the link): the intake still answers its one case
    PostCase.objects.all().delete()
    third, _ = actions.make_case(post, city["agent"])
    assert third.pk == case.pk and Case.objects.count() == 1 and PostCase.objects.count() == 1


def test_a_post_purged_and_listened_to_again_finds_the_case_it_made(city):
    post = make_post(city["stream"])
    case, _created = actions.make_case(post, city["agent"])
    platform, post_id = post.platform, post.post_id
    post.delete()  # retention purged it; the platform's stream then carried it again (a catch-up, a replay)
    again = make_post(city["stream"], post_id=post_id, platform=platform)
    found, created = actions.make_case(again, city["agent"])
    assert not created and found.pk == case.pk and Case.objects.count() == 1
    assert PostCase.objects.get(post=again).case_id == case.pk


def test_acknowledge_and_dismiss_with_a_reason_change_no_setting(client, city):
    alert = make_alert(city["stream"])
    before = Stream.objects.values("sensitivity", "keywords").get(pk=city["stream"].pk)
    client.force_login(city["agent"])
    assert client.post(reverse("listening:alert-acknowledge", args=[alert.pk])).status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED and alert.handled_by == city["agent"]
    refused = client.post(reverse("listening:alert-dismiss", args=[alert.pk]), {"reason": ""})
    assert refused.status_code == 400 and Alert.objects.get().status == AlertStatus.ACKNOWLEDGED
    done = client.post(reverse("listening:alert-dismiss", args=[alert.pk]), {"reason": "A concert, not a flood"})
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.note == "A concert, not a flood"
    assert Stream.objects.values("sensitivity", "keywords").get(pk=city["stream"].pk) == before
    kinds = set(PostEvent.objects.values_list("kind", flat=True))
    assert kinds == {PostEventKind.ALERT_ACKNOWLEDGED, PostEventKind.ALERT_DISMISSED}


def test_an_alert_merges_into_another_of_its_stream_and_then_points_at_it(client, city):
    kept, twice = make_alert(city["stream"]), make_alert(city["stream"])
    twice.keys, twice.posts = ["term:flood"], 55
    twice.save()
    other_agencys = make_alert(city["other_stream"])
    client.force_login(city["agent"])
    page = client.get(reverse("listening:alert", args=[twice.pk])).content.decode()
    assert "Merge with another alert" in page and f'value="{kept.pk}"' in page
    assert f'value="{other_agencys.pk}"' not in page  # another stream's (and agency's) alert is never offered
    refused = client.post(reverse("listening:alert-merge", args=[twice.pk]), {"into": other_agencys.pk})
    assert refused.status_code == 400 and Alert.objects.get(pk=twice.pk).status == AlertStatus.OPEN
    assert client.post(reverse("listening:alert-merge", args=[twice.pk]), {"into": twice.pk}).status_code == 400
    done = client.post(reverse("listening:alert-merge", args=[twice.pk]), {"into": kept.pk, "note": "Same flood"})
    assert done.status_code == 302 and done["Location"] == reverse("listening:alert", args=[kept.pk])
    twice.refresh_from_db()
    kept.refresh_from_db()
    assert (twice.status, twice.merged_into_id, twice.note) == (AlertStatus.MERGED, kept.pk, "Same flood")
    assert kept.keys == ["stream:relevant", "term:flood"] and kept.posts == 55
    merged_page = client.get(reverse("listening:alert", args=[twice.pk])).content.decode()
    assert "Merged into" in merged_page and "Merge with another alert" not in merged_page
    again = client.post(reverse("listening:alert-merge", args=[twice.pk]), {"into": kept.pk})
    assert again.status_code == 302 and again["Location"] == reverse("listening:alert", args=[twice.pk])
    assert PostEvent.objects.filter(kind=PostEventKind.ALERT_MERGED).count() == 1


def make_incident(agency, slug: str, **extra: object) -> Incident:
    return Incident.objects.create(slug=slug, title_en=f"Incident {slug}", title_es=f"Incidente {slug}",
                                   summary_en="-", summary_es="-", agency=agency, declared_at=timezone.now(),
                                   **extra)


def test_posts_are_grouped_into_an_incident_once_and_the_triage_view_lists_its_posts(client, city):
    flood = make_incident(city["agency"], "elm-flood")
    ended = make_incident(city["agency"], "old-storm", status="ended")
    parks = make_incident(city["other_stream"].agency, "parks-fire")
    post, other, old = make_post(city["stream"]), make_post(city["stream"], "Road closed"), make_post(
        city["stream"], "Water in the basement on Elm", minutes_ago=60 * 24 * 3)
    client.force_login(city["agent"])
    page = client.get(reverse("listening:triage")).content.decode()
    assert f'<option value="{flood.pk}">Incident elm-flood</option>' in page
    assert f'value="{ended.pk}"' not in page and f'value="{parks.pk}"' not in page  # active, and theirs only
    url = reverse("listening:post-group", args=[post.pk])
    assert client.post(url, {"incident": flood.pk}).status_code == 302
    assert client.post(url, {"incident": flood.pk}).status_code == 302  # a second click changes nothing
    assert client.post(reverse("listening:post-group", args=[old.pk]), {"incident": flood.pk}).status_code == 302
    for refused in ({"incident": parks.pk}, {"incident": ended.pk}, {"incident": "x"}, {}):
        assert client.post(reverse("listening:post-group", args=[other.pk]), refused).status_code == 400
    assert set(IncidentPost.objects.values_list("post_id", "incident_id")) == {(post.pk, flood.pk),
                                                                             (old.pk, flood.pk)}
    assert PostEvent.objects.filter(kind=PostEventKind.GROUPED, detail="elm-flood").count() == 2
    listed = client.get(reverse("listening:triage"), {"incident": flood.pk}).content.decode()
    assert "Only the posts grouped into the incident" in listed
    assert "Water main burst" in listed and "Water in the basement" in listed  # three days old, still listed
    assert "Road closed" not in listed
    assert "In the incident “Incident elm-flood”" in client.get(reverse("listening:triage")).content.decode()
    stranger = client_for_user(client, city["stranger"])
    assert stranger.post(reverse("listening:post-group", args=[other.pk]), {"incident": parks.pk}).status_code == 404


def client_for_user(client, user):
    client.logout()
    client.force_login(user)
    return client


def test_declaring_an_incident_from_an_alert_links_both_ways_once(client, city):
    alert = make_alert(city["stream"])
    client.force_login(city["supervisor"])
    url = reverse("listening:alert-declare", args=[alert.pk])
    form = client.get(url)
    assert form.status_code == 200 and "Surge of posts: water, flood, main" in form.content.decode()
    data = {"title_en": "Flooding on Elm Street", "title_es": "Inundación en la calle Elm",
            "summary_en": "Avoid Elm Street.", "summary_es": "Evite la calle Elm.", "whole_city": "on",
            "agency": city["agency"].pk}
    response = client.post(url, data)
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crisis:staff-incident",
                                                                            args=[incident.slug])
    assert incident.source == f"listening-alert:{alert.pk}" and incident.source_alert_id == alert.pk
    assert client.post(url, data).status_code == 302 and Incident.objects.count() == 1
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    incident_page = client.get(reverse("crisis:staff-incident", args=[incident.slug])).content.decode()
    assert reverse("listening:alert", args=[alert.pk]) in incident_page
    alert_page = client.get(reverse("listening:alert", args=[alert.pk])).content.decode()
    assert reverse("crisis:staff-incident", args=[incident.slug]) in alert_page


def test_agents_may_not_declare_an_incident(client, city):
    alert = make_alert(city["stream"])
    client.force_login(city["agent"])
    assert client.get(reverse("listening:alert-declare", args=[alert.pk])).status_code == 403
    assert "Declare an incident" not in client.get(reverse("listening:alert", args=[alert.pk])).content.decode()


def test_marking_a_post_as_misinformation_shows_in_the_list_and_is_recorded(client, city):
    post = make_post(city["stream"])
    client.force_login(city["agent"])
    url = reverse("listening:post-misinformation", args=[post.pk])
    assert client.post(url, {"marked": "yes", "note": "Old photo"}).status_code == 302
    assert client.post(url, {"marked": "yes"}).status_code == 302
    assert PostFlag.objects.get().flagged_by == city["agent"]
    page = client.get(reverse("listening:triage") + "?flagged=yes").content.decode()
    assert "Water main burst" in page and "Not misinformation" in page
    client.post(url, {"marked": "no"})
    assert not PostFlag.objects.exists()
    assert list(PostEvent.objects.order_by("at", "pk").values_list("kind", flat=True)) == [
        PostEventKind.MARKED_MISINFORMATION, PostEventKind.UNMARKED_MISINFORMATION]


def test_the_filters_narrow_the_posts(client, city):
    make_post(city["stream"], "Calle inundada", lang="es", category=Category.AFFECTED_PEOPLE, urgent=True)
    make_post(city["stream"], "Power line down on Oak Avenue")
    make_post(city["stream"], "lol nothing", category=Category.NOT_RELEVANT)
    make_post(city["stream"], "Old news from last week", minutes_ago=60 * 24 * 3)
    client.force_login(city["agent"])

    def shown(query: str) -> str:
        return client.get(reverse("listening:triage") + query).content.decode()

    assert "Calle inundada" in shown("?lang=es") and "Power line" not in shown("?lang=es")
    assert "Power line" not in shown("?urgent=yes") and "Calle inundada" in shown("?urgent=yes")
    assert "Power line" in shown("?category=infrastructure") and "Calle" not in shown("?category=infrastructure")
    assert "lol nothing" not in shown("") and "lol nothing" in shown("?category=not_relevant")
    assert "Old news" not in shown("") and "Old news" in shown("?window=week")


@pytest.mark.parametrize("query", ["?category=nope", "?urgent=maybe", "?window=year", "?lang=xx", "?area=999999",
                                   "?area=abc", "?page=0", "?page=abc", "?flagged=1"])
def test_bad_filters_are_a_400_never_a_500(client, city, query):
    client.force_login(city["agent"])
    assert client.get(reverse("listening:triage") + query).status_code == 400
    assert client.get(reverse("listening:live") + query).status_code == 400
    assert client.get(reverse("listening:map-data") + query).status_code == 400


def test_the_live_fragment_and_the_map_data_answer(client, city):
    make_post(city["stream"])
    make_post(city["stream"], "No place", lat=None, lon=None, place="")
    client.force_login(city["agent"])
    fragment = client.get(reverse("listening:live"), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b'id="listening-live"' in fragment.content
    assert b"<html" not in fragment.content
    features = client.get(reverse("listening:map-data")).json()["features"]
    assert len(features) == 1 and features[0]["geometry"]["coordinates"] == [-75.0, 40.0]
    assert "author" not in features[0]["properties"]


def test_query_counts_stay_flat_as_posts_and_alerts_grow(client, city, django_assert_max_num_queries):
    client.force_login(city["agent"])
    client.get(reverse("listening:triage"))  # warm the session and profile caches

    def measure() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("listening:triage")).status_code == 200
        return len(captured)

    posts = [make_post(city["stream"]) for _ in range(3)]
    make_alert(city["stream"], posts)
    actions.make_case(posts[0], city["agent"])
    actions.mark_misinformation(posts[1], city["agent"])
    few = measure()
    more = [make_post(city["stream"]) for _ in range(30)]
    for post in more[:10]:
        actions.make_case(post, city["agent"])
        actions.mark_misinformation(post, city["agent"])
    for _ in range(10):
        make_alert(city["stream"], more[:3])
    assert measure() == few
    with django_assert_max_num_queries(20):
        client.get(reverse("listening:triage"))
    with django_assert_max_num_queries(12):
        client.get(reverse("listening:live"))


def test_the_incident_dashboard_counts_the_agencys_posts_since_the_incident(client, city):
    make_post(city["stream"], urgent=True, minutes_ago=1)
    make_post(city["stream"], minutes_ago=2)
    make_post(city["stream"], "Before the incident", minutes_ago=120)
    alert = make_alert(city["stream"])
    incident, _ = actions.declare_from_alert(
        alert, city["supervisor"], title_en="Flood", title_es="Inundación", summary_en="Stay away.",
        summary_es="Manténgase lejos.", whole_city=True, agency=city["agency"])
    Incident.objects.filter(pk=incident.pk).update(declared_at=timezone.now() - timedelta(minutes=30))
    client.force_login(city["supervisor"])
    page = client.get(reverse("crisis:staff-incident", args=[incident.slug])).content.decode()
    assert "2 posts, 1 urgent." in page
