"""Test helpers of crisis mode: a counting SMS provider, the demo boundaries, subscribers in bulk."""

from typing import Any

from django.utils import timezone

from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.outbound import Capabilities
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.crisis.models import Subscription, SubscriptionStatus
from civicdesk.crisis.subscriptions import new_token

ALERT_NUMBER = "+12155550911"


class CountingSmsAdapter(ChannelAdapter):
    """An SMS provider for tests: records (to, text) of each send."""

    channel = "sms"
    capabilities = Capabilities(max_length=1600)
    sent: list[tuple[str, str]] = []

    def parse(self, raw: bytes, meta: dict[str, Any]) -> Any:
        raise ParseError("The test SMS channel parses nothing.")

    def send(self, message: Any, account: Any = None) -> str:
        self.sent.append((message.to, message.text))
        return f"SMtest{len(self.sent)}"


ADAPTER = f"{__name__}.CountingSmsAdapter"


def alert_number(agency: Any, address: str = ALERT_NUMBER) -> ChannelAccount:
    return ChannelAccount.objects.create(channel="sms", provider="twilio", agency=agency, address=address)


def subscribers(count: int, *, channel: str, area: Any = None, language: str = "en", start: int = 0,
                status: str = SubscriptionStatus.ACTIVE) -> list[Subscription]:
    """`count` active subscriptions written at once: phones +1215666NNNN, emails resident-N@example.com."""
    now = timezone.now()
    rows = [Subscription(channel=channel, area=area, language=language, status=status, token=new_token(),
                         created_at=now, confirmed_at=now,
                         address=(f"+1215666{n:04d}" if channel == "sms" else f"resident-{n}@example.com"))
            for n in range(start, start + count)]
    return Subscription.objects.bulk_create(rows)
