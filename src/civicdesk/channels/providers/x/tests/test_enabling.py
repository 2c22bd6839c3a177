"""Enabling X: the connector ships off; connecting or enabling an account shows the notice that X requires an
Enterprise contract for government use and asks for its confirmation, on the command line and on the Channels page;
who confirmed and when are kept on the account and in the audit trail. `channels simulate x` then makes a case."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from civicdesk.agencies.models import StaffRole
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import ChannelAccount, Provider
from civicdesk.channels.providers.x.tests.conftest import CONSUMER_SECRET, OUR_ID
from civicdesk.conversations.models import Conversation
from civicdesk.testing.factories import create_agency, create_staff
from civicdesk.testing.signin import staff_login

pytestmark = pytest.mark.django_db
SECRETS = ("--consumer-secret", CONSUMER_SECRET, "--access-token", "test-user-access-token-0123456789")


@pytest.fixture
def works(x_enabled: None) -> Any:
    return create_agency("public-works", "Public Works")


def add_x(*extra: str) -> str:
    out = StringIO()
    call_command("channels", "add", "x", "--agency", "public-works", "--user-id", OUR_ID, "--handle", "RiverbendPW",
                 *SECRETS, *extra, stdout=out)
    return out.getvalue()


def test_the_connector_ships_off_and_refuses_to_connect(works: Any, settings: Any) -> None:
    settings.X_CONNECTOR_ENABLED = False
    with pytest.raises(CommandError, match="X_CONNECTOR_ENABLED=true"):
        add_x("--confirm-enterprise-contract")
    assert not ChannelAccount.objects.exists()


def test_connecting_without_confirming_the_contract_shows_the_notice_and_connects_nothing(works: Any) -> None:
    with pytest.raises(CommandError, match="requires an Enterprise plan"):
        add_x()
    assert not ChannelAccount.objects.exists()


def test_connecting_with_the_confirmation_keeps_who_and_when_and_audits_it(works: Any) -> None:
    out = add_x("--confirm-enterprise-contract")
    account = ChannelAccount.objects.get(provider=Provider.X)
    assert account.address == OUR_ID and account.display_name == "@RiverbendPW" and account.is_active
    assert account.contract_confirmed_at is not None and account.contract_confirmed_by.startswith("command line")
    assert account.credentials()["consumer_secret"] == CONSUMER_SECRET
    assert CONSUMER_SECRET not in account.encrypted_credentials and CONSUMER_SECRET not in out
    entry = AuditEntry.objects.filter(action=AuditAction.AGENCY_CHANGED).latest("pk")
    assert entry.after["enterprise_contract_confirmed"] and entry.after["provider"] == "x"
    assert f"/hooks/x/{account.pk}/" in out


def test_simulate_x_sends_a_mention_signed_as_x_signs_it_and_it_becomes_a_public_case(
        works: Any, django_capture_on_commit_callbacks: Any) -> None:
    add_x("--confirm-enterprise-contract")
    account = ChannelAccount.objects.get(provider=Provider.X)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("channels", "simulate", "x", "--account", str(account.pk), "--kind", "mention",
                     "--text", "Fallen tree on Oak Ave", stdout=StringIO())
        call_command("channels", "simulate", "x", "--account", str(account.pk), "--kind", "message",
                     "--text", "And my bin was missed", stdout=StringIO())
    mention = Message.objects.get(direction=Direction.INBOUND, body_text__contains="Fallen tree")
    assert mention.visible_text == "Fallen tree on Oak Ave" and mention.case.channel == "x"
    kinds = set(Conversation.objects.filter(account=account).values_list("visibility", flat=True))
    assert kinds == {Visibility.PUBLIC, Visibility.PRIVATE}
    assert Case.objects.count() >= 1


def test_simulate_is_refused_while_the_contract_is_unconfirmed(works: Any) -> None:
    add_x("--confirm-enterprise-contract")
    account = ChannelAccount.objects.get(provider=Provider.X)
    ChannelAccount.objects.filter(pk=account.pk).update(contract_confirmed_at=None)
    with pytest.raises(CommandError, match="404"):
        call_command("channels", "simulate", "x", "--account", str(account.pk), "--text", "Hi", stdout=StringIO())


def test_the_channels_page_connects_an_x_account_only_with_the_confirmation(works: Any) -> None:
    admin = create_staff("boss", role=StaffRole.ADMIN)
    client = staff_login(Client(), admin)
    page = client.get("/staff/channels/x/")
    assert page.status_code == 200 and "requires an Enterprise plan" in page.content.decode()
    form = {"agency": works.pk, "user_id": OUR_ID, "handle": "RiverbendPW", "consumer_secret": CONSUMER_SECRET,
            "access_token": "test-user-access-token-0123456789"}
    refused = client.post("/staff/channels/x/", form)
    assert refused.status_code == 400 and "Confirm the Enterprise contract" in refused.content.decode()
    assert not ChannelAccount.objects.exists()
    done = client.post("/staff/channels/x/", {**form, "confirm": "on"})
    account = ChannelAccount.objects.get(provider=Provider.X)
    assert done.status_code == 302 and account.contract_confirmed_by == "boss"
    listing = client.get("/staff/channels/").content.decode()
    assert "Confirmed by boss" in listing and f"/hooks/x/{account.pk}/" in listing


def test_enabling_an_unconfirmed_x_account_goes_through_the_notice(works: Any, x_account: ChannelAccount) -> None:
    ChannelAccount.objects.filter(pk=x_account.pk).update(contract_confirmed_at=None, contract_confirmed_by="",
                                                          is_active=False)
    admin = create_staff("boss", role=StaffRole.ADMIN)
    client = staff_login(Client(), admin)
    bounced = client.post(f"/staff/channels/{x_account.pk}/active/", {"active": "on"})
    assert bounced.status_code == 302 and bounced["Location"].endswith(f"/channels/{x_account.pk}/x-contract/")
    x_account.refresh_from_db()
    assert not x_account.is_active
    assert client.post(bounced["Location"], {}).status_code == 400
    assert client.post(bounced["Location"], {"confirm": "on"}).status_code == 302
    x_account.refresh_from_db()
    assert x_account.is_active and x_account.contract_confirmed_by == "boss"


def test_with_the_connector_off_the_x_page_only_says_so(works: Any, settings: Any) -> None:
    settings.X_CONNECTOR_ENABLED = False
    client = staff_login(Client(), create_staff("boss", role=StaffRole.ADMIN))
    page = client.get("/staff/channels/x/")
    text = page.content.decode()
    assert "The X connector is off" in text and 'name="consumer_secret"' not in text
    assert client.post("/staff/channels/x/", {"confirm": "on"}).status_code == 200
    assert not ChannelAccount.objects.exists()


def test_an_agent_cannot_open_the_x_page(works: Any) -> None:
    client = staff_login(Client(), create_staff("agent", agencies=[works]))
    assert client.get("/staff/channels/x/").status_code == 403
