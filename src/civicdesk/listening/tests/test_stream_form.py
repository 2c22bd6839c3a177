"""Supervisors make and change their agencies' listening streams in the staff UI (issue 14 item 2): rules typed one
per line, the crisis word list offered as a start, a box or the jurisdiction's extent; agents are refused, another
agency's stream is not there, bad input is a 400 that says what is wrong, and a running listener takes changes up."""

import threading

import pytest
from django.urls import reverse

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.listening.models import JETSTREAM_URL, SourceKind, Stream
from civicdesk.listening.sources import base
from civicdesk.listening.stream_forms import crisis_terms
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    works, parks = create_agency("public-works", "Public Works"), create_agency("parks", "Parks")
    return {"works": works, "parks_stream": Stream.objects.create(name="Parks listening", agency=parks),
            "supervisor": create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[works]),
            "agent": create_staff("agent", agencies=[works]),
            "stranger": create_staff("stranger", role=StaffRole.SUPERVISOR, agencies=[parks])}


def stream_data(city, **changes):
    data = {"name": "Water mains", "agency": city["works"].pk, "source": SourceKind.JETSTREAM, "source_url": "",
            "keywords": "water main\nflooding, sinkhole\nWater Main", "hashtags": "riverbendflood\n#rbwater",
            "accounts": "", "languages": "en, es", "west": "-75.2", "south": "39.9", "east": "-74.9",
            "north": "40.1", "sensitivity": "1.5", "retention_days": "14", "active": "on"}
    data.update(changes)
    return data


def test_a_supervisor_makes_a_stream_with_rules_and_the_crisis_word_list_and_finds_it_listed(client, city):
    client.force_login(city["supervisor"])
    form = client.get(reverse("listening:stream-new"))
    assert form.status_code == 200 and "Add the crisis word list" in form.content.decode()
    response = client.post(reverse("listening:stream-new"), stream_data(city, add_crisis_terms="on"))
    assert response.status_code == 302 and response["Location"] == reverse("listening:streams")
    stream = Stream.objects.get(name="Water mains")
    assert stream.agency == city["works"] and stream.source_url == JETSTREAM_URL  # the public endpoint, filled in
    assert stream.keywords[:3] == ["water main", "flooding", "sinkhole"]  # in order, repeats dropped
    assert set(crisis_terms()) <= set(stream.keywords) and len(crisis_terms()) > 50
    assert stream.hashtags == ["#riverbendflood", "#rbwater"] and stream.languages == ["en", "es"]
    assert stream.box == [-75.2, 39.9, -74.9, 40.1] and stream.sensitivity == 1.5 and stream.retention_days == 14
    entry = AuditEntry.objects.get(action=AuditAction.AGENCY_CHANGED, actor=city["supervisor"])
    assert entry.after["stream"] == "Water mains" and entry.after["agency"] == city["works"].pk
    listed = client.get(reverse("listening:streams")).content.decode()
    assert "Water mains" in listed and "Parks listening" not in listed  # another agency's stream is not shown
    edit = client.post(reverse("listening:stream", args=[stream.pk]), stream_data(
        city, keywords="water main", west="", south="", east="", north="", active=""))
    assert edit.status_code == 302
    stream.refresh_from_db()
    assert stream.keywords == ["water main"] and stream.box == [] and not stream.active


def test_agents_are_refused_and_another_agencys_stream_is_not_there(client, city):
    client.force_login(city["agent"])
    for url in (reverse("listening:streams"), reverse("listening:stream-new")):
        assert client.get(url).status_code == 403
    client.force_login(city["supervisor"])
    other = reverse("listening:stream", args=[city["parks_stream"].pk])
    assert client.get(other).status_code == 404
    assert client.post(other, stream_data(city)).status_code == 404
    refused = client.post(reverse("listening:stream-new"), stream_data(city, agency=city["parks_stream"].agency_id))
    assert refused.status_code == 400 and not Stream.objects.filter(name="Water mains").exists()
    city["parks_stream"].refresh_from_db()
    assert city["parks_stream"].name == "Parks listening"


@pytest.mark.parametrize(("changes", "message"), [
    ({"west": "-74.0"}, "west must be less than its east"),
    ({"north": ""}, "all four sides of the box"),
    ({"languages": "english"}, "Not a language code: english"),
    ({"keywords": "", "hashtags": ""}, "give the stream keywords, hashtags or accounts"),
    ({"source_url": "https://not-a-websocket.example"}, "starts with wss://"),
    ({"source": SourceKind.RSS, "source_url": ""}, "needs its feed&#x27;s address"),
    ({"sensitivity": "50"}, "less than or equal to 4"),
    ({"north": "NaN"}, "Enter a number"),
])
def test_bad_input_is_a_400_that_says_what_is_wrong(client, city, changes, message):
    client.force_login(city["supervisor"])
    response = client.post(reverse("listening:stream-new"), stream_data(city, **changes))
    assert response.status_code == 400 and message in response.content.decode()
    assert not Stream.objects.filter(name="Water mains").exists()


def test_a_running_listener_stops_when_staff_change_its_rules_so_its_thread_starts_again_with_them(city, monkeypatch):
    monkeypatch.setattr(base, "RECHECK_SECONDS", 0)
    stream = Stream.objects.create(name="Water", agency=city["works"], source=SourceKind.RSS,
                                   source_url="https://feed.example/rss", keywords=["water"])
    watch = base.Watch(Stream.objects.get(pk=stream.pk), threading.Event())
    assert watch.running()
    Stream.objects.filter(pk=stream.pk).update(source_state={"etag": "x"})  # the listener's own bookkeeping
    assert watch.running()
    Stream.objects.filter(pk=stream.pk).update(keywords=["water", "sewer"])
    assert not watch.running()
