"""Our own inbound channels as a listening source: inbound messages become posts without the resident's identity,
and a burst of reports in one place raises an alert."""

from datetime import timedelta

import pytest
from django.utils import timezone

from civicdesk.cases.models import Direction, Message
from civicdesk.contacts.models import Contact
from civicdesk.listening import ingest
from civicdesk.listening.models import Alert, Post, SourceKind, Stream
from civicdesk.listening.sources import own_channels
from civicdesk.testing.factories import create_agency, create_case

PLACE = (40.00123, -75.00456)


@pytest.fixture(autouse=True)
def agency(db):
    ingest._ingestors.clear()  # a stream's detector lives for the process: each test starts cold
    return create_agency("public-works", "Public Works")


def report(subject: str, body: str, minutes_ago: float, *, channel: str = "web",
           place: tuple[float, float] | None = PLACE, email: str = "jane.doe@example.com") -> Message:
    case = create_case(channel=channel, subject=subject, body=body, email=email,
                       lat=place[0] if place else None, lon=place[1] if place else None)
    message = Message.objects.filter(case=case, direction=Direction.INBOUND).latest("pk")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return message


def test_inbound_messages_become_posts_without_the_residents_identity(db):
    stream = Stream.objects.create(name="own", source=SourceKind.OWN_CHANNELS)
    message = report("Pothole", "Huge pothole outside, call me at 555-201-3344 or jane.doe@example.com", 5,
                     channel="sms")
    assert own_channels.poll(stream) == 1
    post = Post.objects.get(stream=stream)
    assert (post.platform, post.post_id, post.author) == ("civicdesk", f"message-{message.pk}", "sms")
    assert "555" not in post.text and "jane" not in post.text.lower() and "[number]" in post.text
    assert (post.lat, post.lon) == (40.001, -75.005)  # the area, not the house

    assert "Jane" not in str(Post.objects.values().get())
    stream.refresh_from_db()
    assert stream.source_state["last_message_id"] == message.pk

    assert own_channels.poll(stream) == 0  # nothing new
    report("Streetlight out", "The light is out", 1, place=None)
    assert own_channels.poll(stream) == 1
    assert Post.objects.filter(stream=stream).count() == 2


def test_the_residents_own_name_is_masked_in_the_text(db):
    signed = report("Pothole", "Still there. Thanks, Jane Doe", 4)
    Contact.objects.filter(pk=signed.case.contact_id).update(display_name="Jane Q. Doe")
    message = Message.objects.select_related("case__contact", "case__service").get(pk=signed.pk)
    assert own_channels.post_of(message)["text"] == "Still there. Thanks, [name] [name]"


def test_outbound_messages_and_other_agencies_are_not_listened_to(db):
    stream = Stream.objects.create(name="own", source=SourceKind.OWN_CHANNELS)
    message = report("Pothole", "Huge pothole", 5)
    Message.objects.filter(pk=message.pk).update(direction=Direction.OUTBOUND)
    assert own_channels.poll(stream) == 0 and not Post.objects.exists()


def test_a_burst_of_reports_in_one_place_raises_an_alert(db):
    stream = Stream.objects.create(name="own", source=SourceKind.OWN_CHANNELS)
    ordinary = ["Missed trash pickup", "Graffiti on the wall", "Streetlight out", "Noise complaint", "Pothole"]
    for n in range(12):  # two hours of ordinary reports across the city
        report(ordinary[n % 5], f"{ordinary[n % 5]} near house {n}", 150 - n * 10, place=None)
    for n in range(14):  # then the water main: fourteen reports in two minutes
        report("Water main break", f"Water main burst, the street is flooding and water is coming into homes {n}",
               4 - n * 0.15)
    while own_channels.poll(stream) >= own_channels.PER_POLL:
        pass
    assert Post.objects.filter(stream=stream).count() == 26
    alert = Alert.objects.get(stream=stream)
    assert alert.raised_at >= timezone.now() - timedelta(minutes=5) and alert.posts >= 3
    assert "water" in alert.terms



def test_the_listener_starts_a_thread_per_live_stream_and_only_sleeps_without_one(db, monkeypatch):
    import threading

    from civicdesk.core import threads
    from civicdesk.listening import live

    held: list[int] = []
    monkeypatch.setattr(live, "hold_source", lambda stream_id, stop: held.append(stream_id))
    monkeypatch.setattr(threads, "close_old_connections", lambda: None)  # the test's database stays open
    Stream.objects.create(name="replayed", source=SourceKind.REPLAY)
    Stream.objects.create(name="off", source=SourceKind.OWN_CHANNELS, active=False)
    stop = threading.Event()
    reads = 0
    real = live.live_streams

    def counted() -> list[Stream]:
        nonlocal reads
        reads += 1
        if reads == 2:
            Stream.objects.create(name="own", source=SourceKind.OWN_CHANNELS)
        if reads == 3:
            stop.set()
        return real()

    monkeypatch.setattr(live, "live_streams", counted)
    live.listen_forever(stop, refresh=0.01)
    assert set(held) == {Stream.objects.get(name="own").pk}


def test_a_report_from_our_own_channels_opens_its_case_instead_of_making_another(client, agency):
    from django.urls import reverse

    from civicdesk.agencies.models import StaffRole
    from civicdesk.cases.models import Case
    from civicdesk.testing.factories import create_staff

    stream = Stream.objects.create(name="own", source=SourceKind.OWN_CHANNELS, agency=agency)
    message = report("Water main", "Water everywhere on Elm Street", 2)
    assert own_channels.poll(stream) == 1
    post = Post.objects.get(stream=stream)
    client.force_login(create_staff("sup", role=StaffRole.SUPERVISOR, agencies=[agency]))
    assert "Open its case" in client.get(reverse("listening:triage")).content.decode()
    answer = client.post(reverse("listening:post-case", args=[post.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("inbox:case", args=[message.case.number])
    assert Case.objects.count() == 1  # no second case
    other = create_agency("parks", "Parks")
    client.force_login(create_staff("parks.sup", role=StaffRole.SUPERVISOR, agencies=[other]))
    assert client.post(reverse("listening:post-case", args=[post.pk])).status_code == 404  # not their stream
