"""`civicdesk channels simulate sms`: an incoming text as Twilio posts it, signed with the account's own token."""

from typing import Any

from django.conf import settings

from civicdesk.channels.providers.twilio.endpoints import Endpoint
from civicdesk.channels.providers.twilio.sender import TwilioSender, sms_params
from civicdesk.channels.simulate import SimulatedWebhook

RESIDENT_NUMBER = "+12025550199"  # a 555 number: never a real person


def simulated_text(config: Any, text: str, kind: str = "message") -> SimulatedWebhook:
    credentials = config.credentials
    endpoint = str(Endpoint.SMS)
    url = f"{settings.SITE_URL.rstrip('/')}/hooks/twilio/{config.id}/" + (f"{endpoint}/" if endpoint else "")
    params = sms_params(from_=RESIDENT_NUMBER, to=config.address, body=text,
                        account_sid=credentials.get("account_sid", "AC" + "0" * 32))
    signed = TwilioSender(credentials.get("auth_token", "")).sign(url, params)
    return SimulatedWebhook(body=signed.body, headers=dict(signed.headers), endpoint=endpoint,
                            content_type=signed.content_type)
