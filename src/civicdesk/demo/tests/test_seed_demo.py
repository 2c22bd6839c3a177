"""seed-demo loads Riverbend into an empty database once, with consistent cases, and its logins work."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from civicdesk.agencies.models import Agency, AttributeDatatype, Service, ServiceAttribute, StaffProfile, StaffRole
from civicdesk.assignment.models import AssignmentMode, TeamAgent, TeamAssignment
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, CaseCounter, CaseStatus, Direction, Message
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.demo import data
from civicdesk.mail.models import Mailbox
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.slow


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--yes-demo-passwords", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_seed_creates_riverbend_once_and_staff_can_log_in(client):
    output = seed()
    assert "2000 cases" in output and "agent.publicworks" in output

    assert set(Agency.objects.values_list("slug", flat=True)) >= {
        "311", "public-works", "transportation", "parks", "sanitation", "housing", "police"}
    assert Agency.objects.get(slug="311").name == "311 Contact Center"
    assert Agency.objects.get(slug="public-works").teams.filter(name="Streets crew").exists()
    assert Service.objects.count() == 20
    assert Service.objects.filter(is_realtime=False).count() == 4
    assert set(ServiceAttribute.objects.values_list("datatype", flat=True)) == set(AttributeDatatype.values)
    assert ServiceAttribute.objects.get(service__code="pothole", code="size").required
    mailbox = Mailbox.objects.select_related("account__agency").get(account__address="311@riverbend.example")
    assert mailbox.agency.slug == "311" and mailbox.account.channel == Channel.EMAIL and mailbox.is_active
    assert ChannelAccount.objects.filter(provider=Provider.EMAIL).count() == Mailbox.objects.count() >= 2

    assert Case.objects.count() == data.DEMO_CASE_COUNT
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert Case.objects.values("channel").distinct().count() >= 7
    numbers = sorted(Case.objects.values_list("number", flat=True))
    year = numbers[-1].split("-")[1]
    assert CaseCounter.objects.get(year=int(year)).last == int(numbers[-1].rsplit("-", 1)[1])
    without_inbound = Case.objects.exclude(messages__direction=Direction.INBOUND)
    assert not without_inbound.exists()
    assert Case.objects.annotate(n=Count("audit")).filter(n__lt=2).count() == 0
    now = timezone.now()
    assert not Message.objects.filter(created_at__gt=now).exists()
    assert not AuditEntry.objects.filter(at__gt=now).exists()
    assert not Case.objects.filter(updated_at__lt=F("created_at")).exists()
    assert not Case.objects.filter(status__in=CaseStatus.finished(), resolved_at__isnull=True).exists()
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closed_at__isnull=True).exists()
    replied = Case.objects.filter(messages__direction=Direction.OUTBOUND, messages__author__isnull=False)
    assert not replied.filter(first_response_at__isnull=True).exists()
    transfers = AuditEntry.objects.filter(action=AuditAction.TRANSFERRED)
    assert transfers.exists() and all(e.before["agency"] != e.after["agency"] for e in transfers)
    assert Identity.objects.filter(kind=IdentityKind.PHONE).exists()
    lats = Case.objects.exclude(lat__isnull=True).values_list("lat", "lon")
    assert all(39.95 <= lat <= 40.05 and -75.05 <= lon <= -74.95 for lat, lon in lats)

    assert "not loaded" in seed()
    assert Case.objects.count() == data.DEMO_CASE_COUNT

    for username, _first, _last, role, slugs, _teams in data.STAFF:
        profile = StaffProfile.objects.get(user__username=username)
        assert profile.role == role
        assert set(profile.agencies.values_list("slug", flat=True)) == set(slugs)
        response = client.post("/staff/login/", {"username": username, "password": "demo"})
        assert response.status_code == 302, username  # the demo passwords still sign in (through the lockout)
        landing = client.get("/staff/")
        if role == StaffRole.ADMIN:  # the demo admin is asked to set up two-factor first (README, demo logins)
            assert landing.status_code == 302 and landing["Location"].startswith("/staff/otp/setup/"), username
        else:
            assert landing.status_code == 200, username
        client.post("/staff/logout/")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert StaffProfile.objects.get(user__username="agent.publicworks").teams.filter(name="Streets crew").exists()
    modes = dict(TeamAssignment.objects.values_list("team__name", "mode"))
    assert modes == {"Streets crew": AssignmentMode.ROUND_ROBIN, "Call takers": AssignmentMode.LEAST_OPEN}
    assert TeamAgent.objects.get(user__username="supervisor.publicworks", team__name="Streets crew").capacity == 5


@pytest.mark.django_db
def test_existing_agencies_leave_the_database_alone_unless_forced():
    create_agency("elsewhere")
    assert "not loaded" in seed()
    assert Case.objects.count() == 0

    seed("--force", "--cases", "30")
    seed("--force", "--cases", "20")
    assert Case.objects.count() == 50
    assert Service.objects.count() == 20 and User.objects.filter(username="admin").count() == 1
    numbers = set(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 50
    assert sum(c.last for c in CaseCounter.objects.all()) == 50
