"""The case page's due times (one met, one missed, one running) and the Targets pages, in Chromium with axe-core
WCAG 2.1 A/AA at 1280 and 390 px."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from civicdesk.agencies.models import StaffRole
from civicdesk.slas.models import CaseTarget, TargetKind
from civicdesk.slas.sweep import sweep
from civicdesk.slas.tests.helpers import HOUR, make_policy
from civicdesk.testing.browser import axe, launch_chromium, watch
from civicdesk.testing.factories import create_agency, create_case, create_staff

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser, pytest.mark.slow]


def signed_in(context: Any, base: str, client: Any, user: Any) -> None:
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": base}])


@pytest.mark.parametrize("width", [1280, 390])
def test_due_times_on_the_case_page_and_the_targets_pages_pass_axe(live_server: Any, client: Any, width: int):
    agency = create_agency("streets", name="Streets")
    policy = make_policy(agency, first_response_seconds=HOUR, next_response_seconds=HOUR,
                         resolution_seconds=400 * HOUR, hours="calendar")
    lead = create_staff("lead", role=StaffRole.SUPERVISOR, agencies=[agency])
    case = create_case(channel="email")
    first = CaseTarget.objects.get(case=case, kind=TargetKind.FIRST_RESPONSE)
    CaseTarget.objects.filter(pk=first.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    sweep()  # the first response is missed; the resolution still runs
    with launch_chromium() as chromium:
        context = chromium.new_context(viewport={"width": width, "height": 900}, locale="en")
        signed_in(context, live_server.url, client, lead)
        page = context.new_page()
        errors = watch(page)
        page.goto(live_server.url + reverse("inbox:case", args=[case.number]))
        targets = page.locator("#case-targets")
        expect(targets).to_be_visible()
        expect(targets.locator("[data-target-kind=first_response]")).to_contain_text("Missed")
        expect(targets.locator("[data-target-kind=resolution]")).to_contain_text("due")
        expect(page.locator("#case-timeline")).to_contain_text("first response target was missed")
        assert axe(page) == [], "case page"
        page.goto(live_server.url + reverse("inbox:sla-policies"))
        expect(page.get_by_role("link", name=policy.name)).to_be_visible()
        assert axe(page) == [], "targets page"
        page.get_by_role("link", name=policy.name).click()
        expect(page.get_by_label("Name")).to_have_value(policy.name)
        assert axe(page) == [], "policy page"
        page.get_by_label("First response within (hours)").fill("")
        page.get_by_label("Next response within (hours)").fill("")
        page.get_by_label("Resolution within (hours)").fill("")
        page.get_by_role("button", name="Save the policy").click()
        expect(page.get_by_role("alert")).to_contain_text("Give at least one target")
        assert axe(page) == [], "policy page with errors"
        page.goto(live_server.url + reverse("inbox:inbox") + "?view=breaching_soon&sort=due")
        expect(page.locator("#case-list")).to_be_visible()
        assert axe(page) == [], "inbox, breaching soon"
        context.close()
    assert not [e for e in errors if "favicon" not in e and " 400 " not in f" {e} "], errors
