"""Issue #7 item 3: every public endpoint of the demo city (taken from the URL resolver, so new routes are covered)
is fetched without signing in, and none shows a demo contact's email address, phone number or name."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from civicdesk.agencies.models import Service
from civicdesk.cases import actions as case_actions
from civicdesk.cases.followers import unsubscribe_token
from civicdesk.cases.models import Attachment, Case, CaseStatus
from civicdesk.channels.models import ChannelAccount
from civicdesk.contacts.models import Contact, Identity, IdentityKind
from civicdesk.conversations import replies
from civicdesk.demo.actions import seed_demo
from civicdesk.gis.queries import open_cases
from civicdesk.satisfaction.models import FixCheck, Survey

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
DEMO_CASES = 150
SIGN_IN = ("/staff/login/", "/admin/login/")


def routes(patterns: list[Any] | None = None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    """(name for reverse(), pattern) of every named route, walking includes."""
    found: list[tuple[str, URLPattern]] = []
    for item in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(item, URLResolver):
            inner = f"{namespace}{item.namespace}:" if item.namespace else namespace
            found += routes(item.url_patterns, inner)
        elif isinstance(item, URLPattern) and item.name:
            found.append((namespace + item.name, item))
    return found


def parameters(pattern: URLPattern) -> list[str]:
    return sorted(set(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern)) +
                      re.findall(r"\(\?P<(\w+)>", str(pattern.pattern))))


def phone_forms(e164: str) -> list[str]:
    digits = e164.removeprefix("+1")
    return [e164, digits, f"{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
            f"{digits[:3]}.{digits[3:6]}.{digits[6:]}"]


@pytest.fixture
def city() -> dict[str, Any]:
    seed_demo(case_count=DEMO_CASES)
    cases = list(Case.objects.select_related("service").order_by("pk"))
    survivor, duplicate = open_cases().exclude(contact=None).order_by("pk")[:2]
    case_actions.merge_cases(duplicate, survivor, actor=None)
    follower = Contact.objects.exclude(pk=survivor.contact_id).filter(identities__kind=IdentityKind.EMAIL).first()
    assert follower is not None
    case_actions.add_follower(survivor, follower)
    replies.reply(survivor, author=None, text="A crew is on the way.", public=True)
    secrets = set(Contact.objects.exclude(display_name="").values_list("display_name", flat=True))
    for kind, value in Identity.objects.values_list("kind", "value"):
        secrets.update(phone_forms(value) if kind == IdentityKind.PHONE else [value])
    return {"cases": cases, "merged": [survivor, duplicate], "follower": follower, "secrets": secrets}


def samples(city: dict[str, Any]) -> dict[str, list[str]]:
    cases = [*city["merged"], *city["cases"][:25]]
    survivor = city["merged"][0]
    return {
        "public_id": [c.public_id for c in cases],
        "number": [c.public_id for c in cases] + [c.number for c in cases[:5]],  # Open311 ids; numbers must 404
        "code": list(Service.objects.values_list("code", flat=True)),
        "fmt": ["json", "xml", "csv", "geojson"],
        "day": [timezone.localdate().isoformat()],  # the open data export seed_demo wrote
        "photo_id": [str(pk) for pk in Attachment.objects.values_list("pk", flat=True)[:5]],
        "token": [unsubscribe_token(survivor, city["follower"]),  # and the survey pages' tokens (one link each)
                  *Survey.objects.order_by("pk").values_list("token", flat=True)[:5],
                  *FixCheck.objects.order_by("pk").values_list("token", flat=True)[:3]],
        "pk": ["1"], "merge_id": ["1"], "identity_id": ["1"], "contact_id": ["1"], "tag": ["lane-blocked"],
        "action": ["reply"], "case_number": [survivor.number],
        "survivor": [survivor.number], "uidb64": ["MQ"],  # a password-reset link: its form, never data
        "provider": ["email", "meta"],  # the webhook entry: no email webhook, no such account: 404s
        "account_id": [str(pk) for pk in ChannelAccount.objects.values_list("pk", flat=True)[:2]],
        "key": ["00000000-0000-4000-8000-000000000000"],  # a chat session no one holds: the desk's routes 404
        "decision": ["dismiss"], "slug": ["parks"], "endpoint": ["status"],
        "agency_pk": ["1"],  # a calendar of the staff side: sign-in first
    }


QUERIES = {
    "open311:requests": [{}, {"extensions": "true"}, {"status": "closed", "extensions": "true"}],
    "open311:request": [{}, {"extensions": "true"}],
    "open311:updates": [{"start_date": "2020-01-01T00:00:00Z"}],
    "gis:public-cases": [{}, {"status": "open"}, {"status": CaseStatus.CLOSED}, {"aggregate": "1"}],
    "gis:public-map": [{}, {"status": CaseStatus.RESOLVED}],
    "api-areas": [{"lat": "40.0", "lon": "-75.1"}],
}


def public_urls(city: dict[str, Any]) -> list[str]:
    values = samples(city)
    urls = []
    for name, pattern in routes():
        if name.startswith("admin:") and name != "admin:index":
            continue  # Django's admin site: every page is behind its login (admin:index proves the redirect)
        names = parameters(pattern)
        if any(n not in values for n in names):
            raise AssertionError(f"Route {name} has a parameter this scan cannot fill: {names}")
        combos: list[dict[str, str]] = [{}]
        for param in names:
            combos = [{**c, param: v} for c in combos for v in values[param]]
        for kwargs in combos:
            try:
                path = reverse(name, kwargs=kwargs)
            except Exception:  # a value that does not fit this route's converter
                continue
            for query in QUERIES.get(name, [{}]):
                urls.append(path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""))
    case = city["cases"][0]
    urls.append(f"/gis/nearby?service={case.service.code if case.service else ''}&lat={case.lat}&lon={case.lon}")
    return sorted(set(urls))


def test_no_public_endpoint_shows_a_demo_contacts_email_phone_or_name(city: dict[str, Any]) -> None:
    browser = Client()
    scanned, leaks = [], []
    for url in public_urls(city):
        response = browser.get(url)
        if response.status_code in (301, 302) and response["Location"].split("?")[0] in SIGN_IN:
            continue  # staff and admin pages: not public
        if response.status_code in (401, 403):
            continue
        assert response.status_code < 500, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        scanned.append(url)
        leaks += [(url, secret) for secret in city["secrets"] if secret in text]
    print(f"scanned {len(scanned)} public URLs for {len(city['secrets'])} contact details")
    assert not leaks, leaks[:20]
    must_cover = ["/status/", "/requests/", "/map/", "/gis/cases.geojson", "/open311/v2/requests.json",
                  "/open311/v2/requests.xml", "/open311/v2/servicerequestupdates.json", "/open311/v2/services.xml",
                  "/open311/v2/discovery.json", "/api/areas", "/updates/stop/", "/services/", "/survey/",
                  "/fixed/", "/surveys/stop/",
                  "/open-data/requests.csv", "/open-data/requests.geojson", f"/open-data/{timezone.localdate()}/",
                  "/scorecard/"]
    assert all(any(url.startswith(prefix) for url in scanned) for prefix in must_cover), must_cover
    # a stranger's status link leads to the public page, where the merged request points to its survivor
    merged_page = browser.get(f"/status/{city['merged'][1].public_id}/", follow=True).content.decode()
    assert "This request was combined" in merged_page


def test_the_demo_city_has_public_updates_so_public_pages_are_not_empty(city: dict[str, Any]) -> None:
    browser = Client()
    updates = browser.get("/open311/v2/servicerequestupdates.json", {
        "start_date": (timezone.now() - timedelta(days=400)).isoformat()}).json()
    assert len([u for u in updates if u["description"]]) >= 10
    described = [r for r in browser.get("/open311/v2/requests.json").json() if r["description"]]
    assert described, "services whose descriptions are harmless publish them"
