"""The staff Channels page: administrators see every agency's accounts, a supervisor only their agencies' (never
another agency's numbers), agents none; connecting a Twilio number never shows its token back."""

import re
from typing import Any

import pytest
from django.urls import reverse

from civicdesk.agencies.models import StaffRole
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.inbox.tests.conftest import World, client_for
from civicdesk.testing.factories import create_agency, create_staff

pytestmark = pytest.mark.django_db
SID = "AC" + "ab" * 16
TOKEN = "0123456789abcdef" * 2
PAGE = "/staff/channels/"


@pytest.fixture
def numbers(world: World) -> dict[str, ChannelAccount]:
    police = create_agency("police", "Police")
    made = {}
    for key, agency, number in (("works", world.works, "+12155550100"), ("works2", world.works, "+12155550101"),
                                ("parks", world.parks, "+12155550200"), ("police", police, "+12155550300")):
        account = ChannelAccount(channel=Channel.SMS, provider=Provider.TWILIO, agency=agency, address=number)
        account.set_credentials({"account_sid": SID, "auth_token": TOKEN})
        account.save()
        made[key] = account
    return made


def form(agency_id: int, **changes: Any) -> dict[str, Any]:
    return {"agency": agency_id, "number": "(215) 555-0177", "account_sid": SID, "auth_token": TOKEN,
            "token_variable": "", "display_name": "Works text line", **changes}


def test_an_administrator_sees_every_agencys_numbers_with_their_three_addresses(world: World, numbers: Any,
                                                                                 admin_client_: Any) -> None:
    html = admin_client_.get(PAGE).content.decode()
    for account in numbers.values():
        assert account.address in html
        assert f"/hooks/twilio/{account.pk}/status/" in html and f"/hooks/twilio/{account.pk}/voice/" in html
    assert TOKEN not in html and numbers["works"].encrypted_credentials not in html
    assert 'aria-current="page"' in html and f'href="{PAGE}"' in html


def test_a_supervisor_sees_and_changes_only_their_own_agencies_numbers(world: World, numbers: Any) -> None:
    works_sup = create_staff("wsup", role=StaffRole.SUPERVISOR, agencies=[world.works])
    client = client_for(works_sup)
    html = client.get(PAGE).content.decode()
    assert "+12155550100" in html and "+12155550101" in html
    assert "+12155550200" not in html and "+12155550300" not in html
    assert f"/hooks/twilio/{numbers['parks'].pk}/" not in html
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == [str(world.works.pk)]  # only their agency to connect a number to
    other = reverse("inbox:channel-active", args=[numbers["parks"].pk])
    assert client.post(other, {}).status_code == 404
    numbers["parks"].refresh_from_db()
    assert numbers["parks"].is_active
    refused = client.post(PAGE, form(world.parks.pk))
    assert refused.status_code == 400 and not ChannelAccount.objects.filter(address="+12155550177").exists()
    taken = client.post(PAGE, form(world.works.pk, number="+12155550300")).content.decode()
    assert "+12155550300 is already connected to another agency" in taken and "Police" not in taken


def test_agents_are_refused_the_page_and_the_nav_link(world: World, numbers: Any, works_client: Any) -> None:
    assert works_client.get(PAGE).status_code == 403
    assert works_client.post(reverse("inbox:channel-active", args=[numbers["works"].pk]), {}).status_code == 404
    assert f'href="{PAGE}"' not in works_client.get("/staff/").content.decode()


def test_connecting_a_number_stores_it_and_shows_its_addresses_never_the_token(world: World,
                                                                              admin_client_: Any) -> None:
    response = admin_client_.post(PAGE, form(world.works.pk), follow=True)
    account = ChannelAccount.objects.get(address="+12155550177")
    assert (account.agency, account.display_name, account.credentials()) == (
        world.works, "Works text line", {"account_sid": SID, "auth_token": TOKEN})
    html = response.content.decode()
    assert "Connected +12155550177 to Public Works" in html
    assert f"/hooks/twilio/{account.pk}/voice/" in html and TOKEN not in html


def test_a_variable_name_may_stand_for_the_token(world: World, admin_client_: Any) -> None:
    admin_client_.post(PAGE, form(world.works.pk, auth_token="", token_variable="TWILIO_WORKS_AUTH_TOKEN"))
    account = ChannelAccount.objects.get(address="+12155550177")
    assert account.credentials_ref == "env:TWILIO_WORKS" and TOKEN not in account.encrypted_credentials


@pytest.mark.parametrize(("changes", "message"), [
    ({"number": "12"}, "is not a valid phone number"),
    ({"number": "+12155550200"}, "+12155550200 is already connected to Parks and Recreation"),
    ({"account_sid": "AC1"}, "The Account SID is “AC” and 32"),
    ({"auth_token": ""}, "Give the auth token, or the name of the environment variable"),
    ({"token_variable": "TWILIO_X_AUTH_TOKEN"}, "not both"),
    ({"auth_token": "", "token_variable": "SECRET"}, "its name ends in _AUTH_TOKEN"),
])
def test_bad_input_is_a_clear_400_that_never_echoes_the_token(world: World, numbers: Any, admin_client_: Any,
                                                              changes: dict[str, str], message: str) -> None:
    response = admin_client_.post(PAGE, form(world.works.pk, **changes))
    html = response.content.decode()
    assert response.status_code == 400 and message in html.replace("&#x27;", "'")
    assert TOKEN not in html and not ChannelAccount.objects.filter(address="+12155550177").exists()


def test_disabling_and_enabling_a_number(world: World, numbers: Any, admin_client_: Any) -> None:
    url = reverse("inbox:channel-active", args=[numbers["works"].pk])
    assert admin_client_.post(url, {}).status_code == 400  # neither: nothing changes
    response = admin_client_.post(url, {"active": "off"}, follow=True)
    numbers["works"].refresh_from_db()
    assert not numbers["works"].is_active and "is disabled" in response.content.decode()
    admin_client_.post(url, {"active": "on"})
    numbers["works"].refresh_from_db()
    assert numbers["works"].is_active


def test_the_page_reads_the_same_number_of_queries_for_many_accounts(world: World, numbers: Any,
                                                                      admin_client_: Any,
                                                                      django_assert_max_num_queries: Any) -> None:
    admin_client_.get(PAGE)
    with django_assert_max_num_queries(12) as few:
        admin_client_.get(PAGE)
    for n in range(10):
        ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO, agency=world.parks,
                                      address=f"+1267555010{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client_.get(PAGE)
