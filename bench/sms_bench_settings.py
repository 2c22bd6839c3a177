"""Settings of bench_sms_inbound.py's server: the project's, with a stand-in Twilio adapter while the real one is
missing (see sms_standin.py)."""

import importlib.util

from civicdesk.settings import *  # noqa: F403
from civicdesk.settings import CHANNEL_ADAPTERS, PROVIDER_ADAPTERS

if importlib.util.find_spec("civicdesk.channels.providers.twilio.adapter") is None:
    PROVIDER_ADAPTERS = {**PROVIDER_ADAPTERS, "twilio": "sms_standin.StandInTwilioAdapter"}
    CHANNEL_ADAPTERS = {**CHANNEL_ADAPTERS, "sms": "sms_standin.StandInTwilioAdapter"}
