"""Fixtures of the telephony tests: an agency with a Twilio number whose credentials are test secrets."""

import pytest

from civicdesk.channels.models import ChannelAccount
from civicdesk.telephony.tests.voice_sender import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, SHARED_KEY
from civicdesk.testing.factories import create_agency


@pytest.fixture
def agency(db):
    agency = create_agency("water", "Water Department", translations={"es": {"name": "Departamento de Agua"}})
    return agency


@pytest.fixture
def account(agency):
    account = ChannelAccount(channel="sms", provider="twilio", agency=agency, address=OUR_NUMBER,
                             display_name="Water line")
    account.set_credentials({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN, "webhook_key": SHARED_KEY})
    account.save()
    return account
