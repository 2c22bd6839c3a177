"""Issue 9 item 7: "this is my problem too" works with one or many listed requests and never fails in silence:
each button sends its own email box, errors come back next to that request, and it works without JavaScript."""

import pytest

from civicdesk.testing.factories import create_agency, create_case, create_service

pytestmark = pytest.mark.django_db
LAT, LON = 40.0, -75.0


@pytest.fixture
def two(db):
    service = create_service(create_agency("public-works"), "pothole")
    return [create_case(service=service, lat=LAT + d, lon=LON, email=f"r{i}@example.com")
            for i, d in enumerate((0.0001, 0.0002))]


def follow(client, case, data, *, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/gis/nearby/{case.public_id}/follow", data, **headers)


def test_with_two_requests_listed_each_button_sends_its_own_email_box(client, two):
    a, b = two
    html = client.get("/gis/nearby", {"service": "pothole", "lat": LAT, "lon": LON}).content.decode()
    assert f'name="follow_email_{a.public_id}"' in html and f'name="follow_email_{b.public_id}"' in html
    assert f'hx-target="#follow-{a.public_id}"' in html
    # what the browser sends: every box of the list (they are all in the request form), this one filled
    boxes = {f"follow_email_{a.public_id}": "first@example.com", f"follow_email_{b.public_id}": ""}
    assert follow(client, a, boxes).status_code == 200
    boxes = {f"follow_email_{a.public_id}": "", f"follow_email_{b.public_id}": "second@example.com"}
    done = follow(client, b, boxes)
    assert done.status_code == 200 and "You now follow request" in done.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    assert [c.identities.get().value for c in a.followers.all()] == ["first@example.com"]
    assert [c.identities.get().value for c in b.followers.all()] == ["second@example.com"]


def test_an_empty_email_comes_back_as_an_error_next_to_that_request(client, two):
    a, b = two
    response = follow(client, a, {f"follow_email_{a.public_id}": "", f"follow_email_{b.public_id}": "x@example.com"})
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith(f'<div class="gis-follow" id="follow-{a.public_id}"')  # its own box, swapped
    assert "Enter your email address so we can send you the updates on" in html and a.number in html
    assert 'aria-invalid="true"' in html and f'aria-describedby="follow-error-{a.public_id}"' in html
    assert not a.followers.exists() and not b.followers.exists()


def test_without_javascript_the_whole_page_shows_the_error_or_the_thanks(client, two):
    a, _b = two
    bad = follow(client, a, {f"follow_email_{a.public_id}": "nope"}, htmx=False)
    html = bad.content.decode()
    assert bad.status_code == 422 and "<h1>We could not add you to request" in html
    assert f'<form method="post" action="/gis/nearby/{a.public_id}/follow"' in html and 'value="nope"' in html
    good = follow(client, a, {f"follow_email_{a.public_id}": "me@example.com"}, htmx=False)
    assert good.status_code == 200 and "<h1>You now follow request" in good.content.decode()
    gone = client.post("/gis/nearby/not-a-request/follow", {"follow_email_not-a-request": "me@example.com"})
    assert gone.status_code == 404 and "closed or does not exist" in gone.content.decode()


def test_the_public_request_page_offers_it_without_javascript(client, two):
    a, _b = two
    html = client.get(f"/requests/{a.public_id}/").content.decode()
    assert "Is this your problem too?" in html
    assert f'<form method="post" action="/gis/nearby/{a.public_id}/follow"' in html
