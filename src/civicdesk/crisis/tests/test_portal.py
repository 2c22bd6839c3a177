"""The portal side of crisis mode: the banner on every page in both languages, the incident page, and alert
sign-up by web form (confirm by link, one-step unsubscribe, rate limit, CSRF, bad links)."""

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from civicdesk.crisis import actions
from civicdesk.crisis.models import Subscription, SubscriptionStatus
from civicdesk.gis.demo import seed_boundaries
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db
PORTAL_PAGES = ["/", "/services/", "/agencies/", "/status/", "/map/", "/alerts/"]


@pytest.fixture(autouse=True)
def email(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def incident() -> Any:
    create_agency("311", name="Riverbend 311")
    return actions.declare(title_en="Flooding on River Road", title_es="Inundación en River Road",
                           summary_en="Avoid the area.", summary_es="Evite la zona.", whole_city=True)


@pytest.mark.parametrize("language,title", [("en", "Flooding on River Road"), ("es", "Inundación en River Road")])
def test_the_banner_is_on_every_portal_page_while_the_incident_is_active(client, incident, language, title):
    client.cookies["django_language"] = language
    case = create_case()
    for path in [*PORTAL_PAGES, f"/requests/{case.public_id}/", f"/incidents/{incident.slug}/"]:
        page = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert page.status_code == 200, path
        assert title in page.content.decode() and f'href="/incidents/{incident.slug}/"' in page.content.decode(), path
    actions.end(incident)
    assert title not in client.get("/").content.decode()
    assert "ended" in client.get(f"/incidents/{incident.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_staff_pages_show_no_banner(client, incident):
    assert "Flooding on River Road" not in client.get("/staff/login/").content.decode()


def test_the_incident_page_lists_official_updates_newest_first_and_its_areas_as_geojson(client, incident):
    actions.publish_update(incident, text_en="Crews on site.", text_es="Cuadrillas en el lugar.")
    actions.publish_update(incident, text_en="Road reopened.", text_es="Calle reabierta.")
    page = client.get(f"/incidents/{incident.slug}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert page.index("Calle reabierta.") < page.index("Cuadrillas en el lugar.")
    assert client.get("/incidents/nothing-here/").status_code == 404
    assert client.get(f"/incidents/{incident.slug}/areas.geojson").json()["type"] == "FeatureCollection"


def test_signing_up_by_email_confirms_by_link_and_every_email_stops_in_one_step(
        client, django_capture_on_commit_callbacks):
    seed_boundaries()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/alerts/", {"channel": "email", "email": "Rosa@Example.com", "area": "city"})
    assert answer.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.address, subscription.status) == ("rosa@example.com", SubscriptionStatus.PENDING)
    link = re.search(r"http://\S+/alerts/confirm/(\S+)/", mail.outbox[0].body)
    assert link is not None
    assert client.get(f"/alerts/confirm/{link.group(1)}/").status_code == 200  # a mail scanner's visit changes nothing
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING
    client.post(f"/alerts/confirm/{link.group(1)}/")
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    client.post(f"/alerts/stop/{subscription.token}/")
    assert Subscription.objects.get().status == SubscriptionStatus.ENDED
    assert client.get("/alerts/stop/not-a-token/").status_code == 400
    assert client.post("/alerts/confirm/not-a-token/").status_code == 400


def test_an_address_finds_the_ward_and_a_bad_address_or_number_is_a_clear_400(client):
    seed_boundaries()
    assert client.post("/alerts/", {"channel": "sms", "phone": "12", "area": "city"}).status_code == 400
    assert client.post("/alerts/", {"channel": "email", "email": "", "area": "city"}).status_code == 400
    bad = client.post("/alerts/", {"channel": "email", "email": "a@example.com", "address": "zzzz qqqq"})
    assert bad.status_code == 400 and "could not find that address" in bad.content.decode()


def test_one_click_unsubscribe_needs_no_page_and_the_form_needs_its_csrf_token():
    create_agency("311", name="Riverbend 311")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/alerts/", {"channel": "email", "email": "a@example.com", "area": "city"}).status_code == 403
    subscription = Subscription.objects.create(channel="email", address="a@example.com", token="t" * 32,
                                               status="active", created_at="2026-12-01T00:00:00Z")
    assert strict.post(f"/alerts/stop/{subscription.token}/one-click/").status_code == 200
    assert Subscription.objects.get().status == SubscriptionStatus.ENDED


def test_sign_ups_are_rate_limited_per_client(client, settings):
    settings.CRISIS_SUBSCRIBES_PER_HOUR = 2
    for _ in range(2):
        client.post("/alerts/", {"channel": "email", "email": "a@example.com", "area": "city"})
    limited = client.post("/alerts/", {"channel": "email", "email": "a@example.com", "area": "city"})
    assert limited.status_code == 429 and limited["Retry-After"]
