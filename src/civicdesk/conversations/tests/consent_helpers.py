"""Test helpers of the consent tests: our SMS numbers as accounts, texts to them, and delivery run at once."""

from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.outbound import Capabilities
from civicdesk.conversations.tests.inbound import OUR_NUMBER, RESIDENT, TestSmsAdapter, sms

OTHER_NUMBER = "+12155550177"


def our_number(agency: Agency, address: str = OUR_NUMBER) -> ChannelAccount:
    return ChannelAccount.objects.create(channel="sms", provider="twilio", agency=agency, address=address,
                                         display_name=f"{agency.name} SMS")


def text(body: str, account: ChannelAccount, *, sender: str = RESIDENT, **kwargs: Any) -> Any:
    """A text from `sender` to `account`'s number, as an SMS adapter parses it (account known, recipient ours)."""
    return sms(body, sender=sender, ours=account.address, account_id=account.pk, recipient=account.address,
               **kwargs)


class ConsentSmsAdapter(TestSmsAdapter):
    """The test SMS channel, declaring what an SMS provider carries (deliver_message reads it after a send)."""

    capabilities = Capabilities(max_length=1600)


ADAPTER = f"{__name__}.ConsentSmsAdapter"
